"""wellbeing.self_harm in the console: the full text and the author of a sign of self-harm
are for the school's principal, a counsellor and an administrator only, each reveal audited;
a counsellor user sees the signs of self-harm of their units and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.access.users import add_user
from monitor.storage.models import Account, AuditEntry, Comment, Flag
from tests.support.web_fixtures import HASH, NOW, PASSWORD, ROLES, build, post, sign_in

TEXT = "honestly so tired of existing. soon none of this will matter to me"
AUTHOR = "Sam Rivera"
COUNSELLOR = "counsellor.riverside@fvsd.example.ca"


@pytest.fixture
def district(settings, engine):
    district = build(settings, engine)
    with district.app.sessions() as s, s.begin():
        riv = s.get_one(Account, district.ids["riv_account"])
        mtn = s.get_one(Account, district.ids["mtn_account"])
        riv.org_unit.counsellor_email = COUNSELLOR
        for account, external in ((riv, "c5"), (mtn, "c6")):
            s.add(
                Comment(
                    account_id=account.id,
                    external_id=external,
                    post_external_id="p1",
                    created_at=NOW - timedelta(hours=2),
                    first_seen_at=NOW - timedelta(hours=2),
                    text=TEXT,
                    author_name=AUTHOR,
                    fingerprint=external,
                )
            )
        flags = {}
        for name, account, external, rule in (
            ("care", riv, "c5", "wellbeing.self_harm"),
            ("mtn_care", mtn, "c6", "wellbeing.self_harm"),
            # Another rule on the same comment must not open a side door to its text.
            ("care_media", riv, "c5", "media.inquiry"),
        ):
            flag = Flag(
                dedup_key=f"{rule}:{account.key}:{external}",
                rule_id=rule,
                severity="critical",
                account_id=account.id,
                subject_type="comment",
                subject_ref=f"comment:{external}",
                excerpt="[wellbeing concern]",
                explanation="This comment may show that someone is thinking of suicide.",
                details={
                    "label": "wellbeing concern",
                    "spans": [[0, len(TEXT), "wellbeing concern"]],
                },
                detector="wellbeing",
                detector_version="1",
                first_seen_at=NOW - timedelta(hours=2),
                last_seen_at=NOW - timedelta(hours=2),
            )
            s.add(flag)
            s.flush()
            flags[name] = flag.id
        user, _ = add_user(s, COUNSELLOR, "counsellor", "", "test", NOW)
        user.password_hash = HASH
        district.ids.update(flags)
    return district


def _client(district, email):
    client = district.client()
    assert sign_in(client, email, PASSWORD).status_code == 303
    return client


def _reveals(district, action="evidence.revealed"):
    with district.app.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize("email", [ROLES["admin"], ROLES["supervisor"], COUNSELLOR])
def test_principal_counsellor_and_admin_reveal_the_text_and_it_is_audited(district, email):
    client = _client(district, email)
    page = f"/flags/{district.ids['care']}"
    shown = client.get(page).text
    # Masked until revealed: neither the words nor who wrote them
    assert TEXT not in shown and "[wellbeing concern]" in shown and AUTHOR in shown
    revealed = post(client, page, f"{page}/reveal")
    assert revealed.status_code == 200 and TEXT in revealed.text
    (entry,) = _reveals(district)
    assert entry.actor == email and entry.object_id == str(district.ids["care"])


@pytest.mark.parametrize("role", ["communications", "it", "auditor"])
def test_communications_it_and_auditor_never_see_the_text_or_the_author(district, role):
    client = _client(district, ROLES[role])
    for name in ("care", "care_media"):
        page = f"/flags/{district.ids[name]}"
        shown = client.get(page)
        if shown.status_code == 404:  # outside the role's scope altogether
            assert role != "auditor" or name != "care"
        else:
            assert TEXT not in shown.text and AUTHOR not in shown.text
            assert "Reveal the full text" not in shown.text
        answer = client.post(f"{page}/reveal", data={"csrf": "x"})
        assert answer.status_code in (403, 404) and TEXT not in answer.text
    assert TEXT not in client.get("/comments?show=all").text
    assert AUTHOR not in client.get("/comments?show=all").text
    assert _reveals(district) == []


def test_auditor_sees_that_a_sign_of_self_harm_exists_masked_and_may_not_reveal_it(district):
    client = _client(district, ROLES["auditor"])
    page = f"/flags/{district.ids['care']}"
    shown = client.get(page).text
    assert "[wellbeing concern]" in shown and "only to the school's principal" in shown
    assert "(withheld: a wellbeing concern)" in shown and AUTHOR not in shown
    refused = post(client, page, f"{page}/reveal")
    assert refused.status_code == 403 and TEXT not in refused.text
    assert _reveals(district) == []
    (entry,) = _reveals(district, "evidence.reveal_refused")
    assert entry.actor == ROLES["auditor"]


def test_communications_may_not_reveal_a_media_flag_on_a_sign_of_self_harm(district):
    client = _client(district, ROLES["communications"])
    page = f"/flags/{district.ids['care_media']}"
    shown = client.get(page)
    assert shown.status_code == 200 and TEXT not in shown.text  # its own rule: visible
    refused = post(client, page, f"{page}/reveal")
    assert refused.status_code == 403 and TEXT not in refused.text
    assert _reveals(district) == []


def test_a_counsellor_sees_only_the_signs_of_self_harm_of_their_units(district):
    client = _client(district, COUNSELLOR)
    listing = client.get("/flags?status=all").text
    assert f"/flags/{district.ids['care']}" in listing
    for other in ("riv_flag", "media_flag", "mtn_care", "mtn_flag"):
        assert client.get(f"/flags/{district.ids[other]}").status_code == 404
    assert client.get("/comments").status_code == 403
    assert client.get("/accounts").status_code == 403
    # A counsellor can acknowledge it ("I am on it")
    page = f"/flags/{district.ids['care']}"
    assert post(client, page, f"{page}/status", {"verb": "ack"}).status_code == 303
    with district.app.sessions() as s:
        assert s.get_one(Flag, district.ids["care"]).status == "acknowledged"


def test_a_counsellor_user_gets_the_units_whose_counsellor_they_are(district):
    with district.app.sessions() as s, s.begin():
        user, created = add_user(s, COUNSELLOR, "counsellor", "", "test", NOW)
        assert not created and [u.code for u in user.org_units] == ["RIV"]
