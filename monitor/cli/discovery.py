"""``hallwatch discover`` and ``hallwatch candidates list|decide|reopen``."""

from __future__ import annotations

import click

from monitor.cli.base import Ctx, main, pass_ctx, print_rows
from monitor.cli.progress import terminal_progress
from monitor.ingest.discover import run_discovery
from monitor.registry.candidates import (
    DECISIONS,
    CandidateError,
    Registration,
    decide,
    list_candidates,
    reopen,
)


@main.command()
@click.option("--no-search", is_flag=True, help="Only read the websites; no platform search.")
@pass_ctx
def discover(ctx: Ctx, no_search: bool) -> None:
    """Find accounts that look like the District's and are not in the registry.

    Reads each organisation unit's website (one page each, https only, robots.txt
    respected) and, within the configured budget, searches YouTube and X. Nothing found is
    polled until a person registers it (`hallwatch candidates decide`).
    """
    app = ctx.app(migrate=True)
    with terminal_progress() as progress:
        report = run_discovery(app, app.now(), search=not no_search, progress=progress)
    for url, what in report.sites.items():
        click.echo(f"{url}: {what}")
    for line in report.searches:
        click.echo(line)
    click.echo(
        f"{len(report.new)} new candidate(s), {report.seen_again} seen before, "
        f"{report.registered} link(s) to registered accounts"
    )
    for key in report.new:
        click.echo(f"  new: {key}")


@main.group()
def candidates() -> None:
    """Accounts discovery found: list them and decide on each."""


@candidates.command("list")
@click.option("--all", "every", is_flag=True, help="Decided ones too.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_ctx
def candidates_list(ctx: Ctx, every: bool, fmt: str) -> None:
    """Candidates waiting for a decision (or all of them)."""
    with ctx.app(migrate=True).sessions() as session:
        rows = [
            {
                "id": c.id,
                "platform": c.platform,
                "handle": c.handle,
                "unit": c.org_unit.code if c.org_unit else "",
                "status": c.status,
                "first_seen": c.first_seen_at.date().isoformat(),
                "source": c.source,
                "url": c.url,
            }
            for c in list_candidates(session, None if every else "new")
        ]
    print_rows(rows, fmt)


@candidates.command("decide")
@click.argument("candidate_id", type=int)
@click.argument("decision", type=click.Choice(list(DECISIONS)))
@click.option("--by", "actor", required=True, help="Who decides (their e-mail).")
@click.option("--note", default="", help="Why, for the record.")
@click.option("--id", "key", default="", help="register: the new account's id.")
@click.option("--org-unit", default="", help="register: its org unit code.")
@click.option("--owner-email", default="", help="register: the owner's District e-mail.")
@click.option("--owner-name", default="", help="register: the owner's name.")
@click.option("--external-id", default="", help="register: the platform id, if not the handle.")
@pass_ctx
def candidates_decide(
    ctx: Ctx,
    candidate_id: int,
    decision: str,
    actor: str,
    note: str,
    key: str,
    org_unit: str,
    owner_email: str,
    owner_name: str,
    external_id: str,
) -> None:
    """Register a candidate (it then waits for approval), or mark it not-ours or personal."""
    app = ctx.app(migrate=True)
    registration = Registration(key, org_unit, owner_email, owner_name, external_id)
    try:
        with app.sessions() as session, session.begin():
            found = decide(session, candidate_id, decision, actor, app.now(), note, registration)
            status, identity = found.status, found.identity
    except CandidateError as exc:
        raise click.ClickException(str(exc)) from None
    extra = f"; account {key} waits for supervisor approval" if decision == "register" else ""
    click.echo(f"candidate {candidate_id} ({identity}): {status}{extra}")


@candidates.command("reopen")
@click.argument("candidate_id", type=int)
@click.option("--by", "actor", required=True, help="Who undoes the decision (their e-mail).")
@click.option("--note", default="", help="Why, for the record.")
@pass_ctx
def candidates_reopen(ctx: Ctx, candidate_id: int, actor: str, note: str) -> None:
    """Undo a decision: the candidate waits for one again.

    Undoing a registration retires the account it made; only while that account still
    waits for approval.
    """
    app = ctx.app(migrate=True)
    try:
        with app.sessions() as session, session.begin():
            identity = reopen(session, candidate_id, actor, app.now(), note).identity
    except CandidateError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"candidate {candidate_id} ({identity}): waits for a decision again")
