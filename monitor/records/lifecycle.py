"""A flag's life, as one state machine: the CLI, the console and the e-mailed links all use it.

::

    open --ack--> acknowledged --resolve | dismiss--> resolved | dismissed
      \\__________resolve | dismiss_________________/
    acknowledged | resolved | dismissed --reopen--> open      (only when asked for)

Nothing else moves a flag: a late "Acknowledge" on a resolved flag changes nothing and says
so, and a flag goes back to open only by an explicit reopen (the console's "Undo" is one).
Every move is audited with who, when, the status before and the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from monitor.core.domain import FlagStatus
from monitor.storage import audit
from monitor.storage.models import Flag

STATUSES = tuple(FlagStatus)
OPEN, ACK = FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED
RESOLVED, DISMISSED = FlagStatus.RESOLVED, FlagStatus.DISMISSED
# verb -> {status it may start from: status it leads to}
TRANSITIONS: dict[str, dict[str, str]] = {
    "ack": {OPEN: ACK},
    "resolve": {OPEN: RESOLVED, ACK: RESOLVED},
    "dismiss": {OPEN: DISMISSED, ACK: DISMISSED},
    "reopen": {ACK: OPEN, RESOLVED: OPEN, DISMISSED: OPEN},
}
TARGET = {verb: next(iter(moves.values())) for verb, moves in TRANSITIONS.items()}
# The status names and longer words people type mean the same verbs.
ALIASES = {
    "acknowledge": "ack",
    ACK: "ack",
    RESOLVED: "resolve",
    DISMISSED: "dismiss",
    OPEN: "reopen",
}
AUDIT_ACTION = {
    "ack": "flag.acknowledged",
    "resolve": "flag.resolved",
    "dismiss": "flag.dismissed",
    "reopen": "flag.reopened",
}
NOTE_REQUIRED = frozenset({"resolve", "dismiss"})  # the record must say why it was closed
NOTE_LIMIT = 4000
_DOING = {
    "ack": "acknowledging",
    "resolve": "resolving",
    "dismiss": "dismissing",
    "reopen": "reopening",
}


class LifecycleError(ValueError):
    """A move the state machine cannot make as asked (unknown verb, missing or long note)."""


@dataclass(frozen=True)
class Decision:
    """What a request did to a flag; ``message`` says it in a sentence for the person."""

    flag_id: int
    verb: str
    before: str
    after: str
    message: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def verb_of(word: str) -> str:
    """``word`` as a verb of :data:`TRANSITIONS` (``ack``, ``resolved``, ``acknowledge``...).

    Raises:
        LifecycleError: not a verb or status this machine knows.
    """
    verb = ALIASES.get(word.strip().lower(), word.strip().lower())
    if verb not in TRANSITIONS:
        raise LifecycleError(f"the action must be one of {', '.join(TRANSITIONS)}")
    return verb


def check_note(verb: str, note: str) -> str:
    """The trimmed note, if ``verb`` may be done with it.

    Raises:
        LifecycleError: a closing verb without a note, or a note over :data:`NOTE_LIMIT`.
    """
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise LifecycleError(
            f"the note is {len(note):,} characters long; keep it under {NOTE_LIMIT:,} "
            "(put long documents in the district's records system and refer to them)"
        )
    if verb in NOTE_REQUIRED and not note:
        raise LifecycleError(f"a flag is {TARGET[verb]} only with a note saying why (--note)")
    return note


def next_status(current: str, verb: str) -> str | None:
    """Where ``verb`` takes a flag that is ``current``; None when it may not move it."""
    return TRANSITIONS[verb].get(current)


def _refusal(flag: Flag, verb: str) -> str:
    if flag.status == TARGET[verb]:
        return f"Flag #{flag.id} is already {flag.status}; nothing changed."
    if verb == "ack":
        return (
            f"Flag #{flag.id} was already {flag.status}, so acknowledging it now changes "
            "nothing. Reopen it first if it needs attention again."
        )
    return f"Flag #{flag.id} is {flag.status}; {_DOING[verb]} it is not possible from there."


def apply(
    session: Session, flag: Flag, verb: str, actor: str, note: str, now: datetime
) -> Decision:
    """Make the move ``verb`` on ``flag`` as ``actor`` if the state machine allows it.

    Returns:
        The decision; when the move is not allowed from the flag's status (already there,
        or it would go backwards), nothing is changed or recorded and the message says so.

    Raises:
        LifecycleError: unknown verb, or a note missing or too long.
    """
    verb = verb_of(verb)
    note = check_note(verb, note)
    before = flag.status
    after = next_status(before, verb)
    if after is None:
        return Decision(flag.id, verb, before, before, _refusal(flag, verb))
    flag.status = after
    if note:
        stamp = f"[{now:%Y-%m-%d %H:%M} UTC {actor}] {note}"
        flag.notes = f"{flag.notes}\n{stamp}" if flag.notes else stamp
    audit.record(
        session,
        actor,
        AUDIT_ACTION[verb],
        "flag",
        flag.id,
        at=now,
        previous=before,
        status=after,
        note=note,
    )
    return Decision(flag.id, verb, before, after, f"Flag #{flag.id} is now {after}.")


def set_status(
    session: Session, flag: Flag, status: str, actor: str, note: str, now: datetime
) -> None:
    """Move ``flag`` to ``status`` through the state machine (for code that names statuses).

    A flag already in ``status`` is left as it is (nothing recorded).

    Raises:
        ValueError: the state machine does not allow that move from the flag's status.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    decision = apply(session, flag, ALIASES[status], actor, note, now)
    if not decision.changed and flag.status != status:
        raise ValueError(decision.message)
