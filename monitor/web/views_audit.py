"""The audit log (newest first) and the noncompliance report export (CSV or HTML)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select
from starlette.responses import Response

from monitor.records.record import RecordError, noncompliance_report, report_csv, report_html
from monitor.storage.models import AuditEntry
from monitor.web.core import Ctx

AUDIT_PAGE = 200


def audit_log(ctx: Ctx) -> Response:
    actor = ctx.request.query_params.get("actor", "").strip()
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if actor:
        query = query.where(AuditEntry.actor == actor.lower())
    rows = list(ctx.db.scalars(query.limit(AUDIT_PAGE)))
    return ctx.render("audit.html", rows=rows, actor=actor)


def report(ctx: Ctx) -> Response:
    params = ctx.request.query_params
    tz = ctx.app.settings.timezone
    today = ctx.now.astimezone(tz).date()
    fmt = params.get("format", "")
    try:
        start = date.fromisoformat(params.get("start") or str(today - timedelta(days=30)))
        end = date.fromisoformat(params.get("end") or str(today))
    except ValueError:
        return ctx.render(
            "report.html", start=today, end=today, code=400, error="Dates look like 2026-09-30."
        )
    if fmt not in ("csv", "html"):
        return ctx.render("report.html", start=start, end=end, error="")
    try:
        rows = noncompliance_report(ctx.db, start, end, tz)
    except RecordError as exc:
        return ctx.render("report.html", start=start, end=end, code=400, error=str(exc))
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
