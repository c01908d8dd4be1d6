"""``hallwatch comments hide|unhide|review``."""

from __future__ import annotations

import click

from detectors.rules import HIDE_REASONS as HIDE_REASON_NAMES
from monitor.cli.base import Ctx, by_whom, main, pass_ctx
from monitor.records.record import RecordError, review_comment
from monitor.registry.connect import ConnectError, moderate


@main.group()
def comments() -> None:
    """Act on a comment on its platform."""


@comments.command("hide")
@click.argument("comment_id", type=int)
@click.option(
    "--reason",
    required=True,
    type=click.Choice(sorted(HIDE_REASON_NAMES)),
    help="Why, from the procedure's fixed list.",
)
@click.option("--by", "actor", required=True, metavar="EMAIL", help="Who decided this.")
@pass_ctx
def comments_hide(ctx: Ctx, comment_id: int, reason: str, actor: str) -> None:
    """Hide a comment on its platform (never deletes). Recorded in the audit log."""
    _moderate(ctx, comment_id, True, reason, actor)


@comments.command("unhide")
@click.argument("comment_id", type=int)
@click.option("--by", "actor", required=True, metavar="EMAIL", help="Who decided this.")
@pass_ctx
def comments_unhide(ctx: Ctx, comment_id: int, actor: str) -> None:
    """Make a hidden comment visible again. Recorded in the audit log."""
    _moderate(ctx, comment_id, False, "", actor)


def _moderate(ctx: Ctx, comment_id: int, hide: bool, reason: str, actor: str) -> None:
    app = ctx.app(migrate=True)
    actor = by_whom(app, actor)
    try:
        done = moderate(app, comment_id, hide, reason, actor, app.now())
    except ConnectError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"comment {comment_id} on {done.account} is now {'hidden' if hide else 'visible'}.")


@comments.command("review")
@click.argument("comment_id", type=int)
@click.option("--by", "actor", required=True, metavar="EMAIL", help="Who reviewed it.")
@click.option("--note", default="", help="A note for the record.")
@pass_ctx
def comments_review(ctx: Ctx, comment_id: int, actor: str, note: str) -> None:
    """Mark a stored comment reviewed (keeps an earlier reviewer)."""
    app = ctx.app(migrate=True)
    actor = by_whom(app, actor)
    try:
        with app.sessions() as session, session.begin():
            done = review_comment(session, comment_id, actor, app.now(), note)
    except RecordError as exc:
        raise click.ClickException(str(exc)) from None
    if done["changed"]:
        click.echo(f"comment {comment_id} reviewed by {done['reviewed_by']}.")
    else:
        click.echo(
            f"comment {comment_id} was already reviewed by {done['reviewed_by'] or 'unknown'} "
            f"at {done['reviewed_at']}; unchanged."
        )
