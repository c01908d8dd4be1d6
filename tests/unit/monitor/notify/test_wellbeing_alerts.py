"""wellbeing.self_harm alerts: at once, to the principal and a counsellor contact (the
unit's, a parent unit's, the district's, or none and the alert says how to set one), one
delivery row each; the alert says what was seen, that it is not disciplinary, and what to
do (configurable), on e-mail and chat alike; the comment's words never leave the database."""

from __future__ import annotations

import email
import json
from email import policy

import pytest
import responses
from sqlalchemy import select

from monitor.ingest import pipeline
from monitor.notify.base import FileNotifier
from monitor.notify.delivery import deliver, pending_outbox
from monitor.notify.routing import route
from monitor.registry.counsellors import counsellor_for
from monitor.storage.models import Account, AuditEntry, Delivery, Flag, OrgUnit, OutboxItem
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at

TEXT = "honestly so tired of existing. soon none of this will matter to me"
PRINCIPAL = {"principal.riverside@fvsd.example.ca", "vp.riverside@fvsd.example.ca"}
SLACK = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXX"


def scenario(tmp_path, text=TEXT):
    return factory.scenario(
        tmp_path / "scenario.json",
        {
            "riv-fb": {
                "profile": {**CLEAN_PROFILE, "handle": "@riv-fb"},
                "posts": [{"id": "p1", "at_hours": 1, "text": "Bake sale Friday!"}],
                "comments": [
                    {"id": "c1", "post": "p1", "at_hours": 2, "text": text, "author_name": "Sam"}
                ],
            }
        },
    )


def world(settings, engine, tmp_path, unit="", parent="", district="", **changes):
    """Riverside under the district, one account; counsellor contacts as given."""
    settings = settings.replace(
        wellbeing__counsellor_email=district, delivery__group_minutes=60, **changes
    )
    app = factory.app_for(settings, engine, scenario(tmp_path))
    with app.sessions() as s, s.begin():
        d = factory.district(s)
        d["school"].counsellor_email, d["district"].counsellor_email = unit, parent
        account_id = factory.account(s, d["school"], d["principal"], "riv-fb").id
    return app, account_id


def poll_and_deliver(app, account_id, notifier):
    result = pipeline.poll_account(app, account_id, at(3))
    for outbox_id in pending_outbox(app, due_by=at(3)):
        deliver(app, outbox_id, at(3), notifier)
    with app.sessions() as s:
        flag = s.scalars(select(Flag).where(Flag.rule_id == "wellbeing.self_harm")).one()
        assert flag.id in result.new_flags
        rows = s.scalars(
            select(Delivery)
            .join(OutboxItem, Delivery.outbox_id == OutboxItem.id)
            .where(OutboxItem.flag_id == flag.id)
        ).all()
        return flag.id, {(r.recipient, r.channel, r.status) for r in rows}


def messages(folder):
    return {
        str(m["To"]): m
        for m in (
            email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))
        )
    }


def body(message):
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.parametrize(
    ("unit", "parent", "district", "counsellor", "whose"),
    [
        ("c.riv@fvsd.example.ca", "team@fvsd.example.ca", "d@fvsd.example.ca", "c.riv", "of Riv"),
        ("", "team@fvsd.example.ca", "d@fvsd.example.ca", "team", "of Fraser Valley"),
        ("", "", "d@fvsd.example.ca", "d", "the District's"),
    ],
    ids=["unit", "parent", "district"],
)
def test_a_sign_of_self_harm_goes_at_once_to_the_principal_and_the_nearest_counsellor(
    settings, engine, tmp_path, unit, parent, district, counsellor, whose
):
    # Given a counsellor contact on the unit, else its parent, else the district setting
    app, account_id = world(settings, engine, tmp_path, unit, parent, district)
    out = tmp_path / "out"
    # When the comment is polled (alerts are otherwise grouped for an hour here)
    flag_id, rows = poll_and_deliver(app, account_id, FileNotifier(out))
    # Then it was due at once and one delivery row per recipient went out
    with app.sessions() as s:
        item = s.scalars(select(OutboxItem).where(OutboxItem.flag_id == flag_id)).one()
        assert item.deliver_after == item.created_at and item.status == "sent"
    address = f"{counsellor}@fvsd.example.ca"
    assert rows == {(r, "file", "delivered") for r in (*PRINCIPAL, address)}
    sent = messages(out)
    assert set(sent) == {*PRINCIPAL, address}
    for recipient, message in sent.items():
        text = body(message)
        assert message["Subject"].startswith("Urgent: Signs of self-harm in a comment")
        assert "not a disciplinary matter" in text and "9-8-8" in text
        assert "suicide-risk protocol" in text and "a wish to die" in text  # what was seen
        assert TEXT not in text and "tired of existing" not in str(message)
        assert "[wellbeing concern]" in text
        if recipient == address:
            assert "You receive this as the" in text and whose in text
        else:
            assert f"Counsellor: {address}" in text
    # And delivering again sends nothing more
    for outbox_id in [item.id]:
        assert deliver(app, outbox_id, at(4), FileNotifier(out)) == "sent"
    assert len(list(out.glob("*.eml"))) == 3


def test_with_no_counsellor_anywhere_the_principal_is_told_how_to_set_one(
    settings, engine, tmp_path
):
    app, account_id = world(settings, engine, tmp_path)
    out = tmp_path / "out"
    flag_id, rows = poll_and_deliver(app, account_id, FileNotifier(out))
    assert rows == {(r, "file", "delivered") for r in PRINCIPAL}
    text = body(messages(out)["principal.riverside@fvsd.example.ca"])
    assert "No counsellor contact is set for Riverside Elementary or the District" in text
    assert "counsellor_email" in text and "hallwatch orgs import" in text
    assert "[wellbeing] counsellor_email" in text
    with app.sessions() as s:
        audited = s.scalars(select(AuditEntry).where(AuditEntry.action == "alert.no_counsellor"))
        assert [a.object_id for a in audited] == [str(flag_id)]


def test_route_without_a_supervisor_still_reaches_the_district_desk_and_the_counsellor(
    settings, engine, tmp_path
):
    app, account_id = world(
        settings,
        engine,
        tmp_path,
        unit="c.riv@fvsd.example.ca",
        delivery__fallback_email="desk@fvsd.example.ca",
    )
    pipeline.poll_account(app, account_id, at(3))
    with app.sessions() as s, s.begin():
        s.get_one(Account, account_id).supervisor_id = None
    with app.sessions() as s:
        flag = s.scalars(select(Flag).where(Flag.rule_id == "wellbeing.self_harm")).one()
        routed = route(s, app, flag)
    assert set(routed.recipients) == {"desk@fvsd.example.ca", "c.riv@fvsd.example.ca"}


def test_a_parent_loop_does_not_hang_the_counsellor_lookup(settings):
    # The registry import refuses loops; the lookup still ends on one made by hand.
    riv, fvsd = OrgUnit(id=1, code="RIV", name="Riv"), OrgUnit(id=2, code="FVSD", name="FVSD")
    riv.parent, fvsd.parent = fvsd, riv
    found = counsellor_for(settings.replace(wellbeing__counsellor_email="d@x.ca"), riv)
    assert (found.email, found.source) == ("d@x.ca", "district")
    assert counsellor_for(settings, riv).email == ""


@responses.activate
def test_the_advice_is_configurable_and_chat_copies_carry_it_without_the_words(
    settings, engine, tmp_path
):
    responses.post(SLACK, body="ok")
    advice = "Call the Safe Schools line at 604-555-0199 and follow Protocol 12. Not discipline."
    app, account_id = world(
        settings,
        engine,
        tmp_path,
        unit="c.riv@fvsd.example.ca",
        wellbeing__advice=advice,
        delivery__slack_webhook_url=SLACK,
    )
    out = tmp_path / "out"
    _, rows = poll_and_deliver(app, account_id, FileNotifier(out))
    assert ("slack", "slack", "delivered") in rows
    assert advice in body(messages(out)["c.riv@fvsd.example.ca"])
    [call] = responses.calls
    posted = json.loads(call.request.body)["text"]
    assert advice in posted and "Signs of self-harm" in posted
    assert "tired of existing" not in posted and "Sam" not in posted
