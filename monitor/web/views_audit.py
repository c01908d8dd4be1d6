"""The audit log (newest first, in pages) and the noncompliance report export (CSV or HTML):
the whole district's for administrators and auditors, their own units' for a supervisor."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select
from starlette.responses import Response

from monitor.access.scope import flags_seen
from monitor.access.users import UserError, normalise_email
from monitor.records.record import RecordError, noncompliance_report, report_csv, report_html
from monitor.storage.models import AuditEntry
from monitor.web.core import Ctx
from monitor.web.paging import paginate

DATE_HELP = "Give dates like 2026-09-30."


def audit_log(ctx: Ctx) -> Response:
    actor = ctx.request.query_params.get("actor", "").strip()
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        try:
            query = query.where(AuditEntry.actor == normalise_email(actor))
        except UserError:
            actor = ""
    rows, page = paginate(ctx, query)
    return ctx.render("audit.html", rows=[r for (r,) in rows], page=page, actor=actor)


def _day(raw: str | None, default: date) -> date:
    if not raw:
        return default
    if len(raw) != 10:
        raise ValueError(raw)
    return date.fromisoformat(raw)


def report(ctx: Ctx) -> Response:
    params = ctx.request.query_params
    tz = ctx.app.settings.timezone
    today = ctx.now.astimezone(tz).date()
    fmt = params.get("format", "")
    try:
        start = _day(params.get("start"), today - timedelta(days=30))
        end = _day(params.get("end"), today)
    except ValueError:
        return ctx.render("report.html", start=today, end=today, code=400, error=DATE_HELP)
    if fmt not in ("csv", "html"):
        return ctx.render("report.html", start=start, end=end, error="")
    try:
        rows = noncompliance_report(ctx.db, start, end, tz, flags_seen(ctx.user))
    except RecordError as exc:
        return ctx.render("report.html", start=today, end=today, code=400, error=str(exc))
    name = f"hallwatch-report-{start}-{end}.{fmt}"
    if fmt == "csv":
        stream = io.StringIO()
        report_csv(rows, stream)
        body, media = stream.getvalue(), "text/csv; charset=utf-8"
    else:
        body = report_html(rows, f"Noncompliance report {start} to {end}")
        media = "text/html; charset=utf-8"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
