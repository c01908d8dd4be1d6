"""A principal's day in the console (issue 14, items 9-13): the to-do list, the queue tools
(filters, sort, real pages, bulk actions and their undo), plain language and local time,
the supervisor's own report, and manual attestation."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from monitor.storage.db import make_engine, upgrade
from monitor.storage.models import Account, Attestation, AuditEntry, Comment, Flag, Post
from tests.support.web_fixtures import NOW, ROLES, _comment, _flag, build, post, sign_in


@pytest.fixture
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'hallwatch.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def district(settings, engine):
    return build(settings, engine)


def _client(district, role):
    client = district.client()
    assert sign_in(client, ROLES[role]).status_code == 303
    return client


def _status(district, key):
    with district.app.sessions() as s:
        return s.get_one(Flag, district.ids[key]).status


def _audit(district, action):
    with district.app.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _items(html: str) -> list[str]:
    """The to-do items' titles, in order."""
    found = re.findall(r'<p class="title"><a href="/flags/\d+">([^<]+)</a>', html)
    return [html_lib.unescape(title) for title in found]


# --- 9. the dashboard is today's to-do list -----------------------------------------------


def test_the_to_do_list_is_open_and_acknowledged_items_most_severe_first(district):
    with district.app.sessions() as s, s.begin():
        s.get_one(Flag, district.ids["media_flag"]).status = "acknowledged"
    html = _client(district, "supervisor").get("/").text
    titles = _items(html)
    assert titles[0] == "A student's full name in a comment on @riv-yt"  # critical first
    assert "A media inquiry in the account on @riv-yt" not in titles  # no such wording
    assert len(titles) == 3 and "@riv-yt stopped working: IT must reconnect it" in titles
    # each item: the account and its owner, its age in local time with the zone named
    assert "owner Ms. Patel &lt;patel@fvsd.example.ca&gt;" in html
    assert "Raised Tue 15 Sep 2026 04:00 PDT (1 day ago)" in html
    assert "Times are PDT." in html
    # rule ids only in small print, never as a title; no detector version
    assert "<code>pii.student</code>" in html and "Student information" in html
    assert "v1" not in html and "detector" not in html.lower()
    # acknowledged items stay, marked so
    assert html.count('badge status-ack">acknowledged') == 1


def test_it_items_say_so_and_link_to_the_account(district):
    html = _client(district, "supervisor").get("/").text
    item = html[html.index(f'id="flag-{district.ids["it_flag"]}"') :]
    item = item[: item.index("</li>")]
    assert "IT's job" in item and "IT fixes this" in item
    assert f'href="/accounts#account-{district.ids["riv_account"]}"' in item
    assert (
        f'id="account-{district.ids["riv_account"]}"'
        in _client(district, "it").get("/accounts").text
    )


def test_resolved_items_leave_the_list(district):
    client = _client(district, "supervisor")
    page = f"/flags/{district.ids['riv_flag']}"
    post(client, page, f"{page}/status", {"verb": "resolve", "note": "name removed"})
    assert "A student's full name" not in "".join(_items(client.get("/").text))


def test_the_main_action_acknowledges_from_the_list(district):
    client = _client(district, "supervisor")
    done = post(client, "/", "/flags/bulk", {"verb": "ack", "ids": str(district.ids["riv_flag"])})
    assert done.status_code == 200 and "1 flag acknowledged" in done.text
    assert _status(district, "riv_flag") == "acknowledged"
    assert "Resolve or dismiss" in client.get("/").text


# --- 10. queue tools ---------------------------------------------------------------------


def _many_flags(district, n: int, account_key: str = "riv_account") -> list[int]:
    with district.app.sessions() as s, s.begin():
        account = s.get_one(Account, district.ids[account_key])
        flags = [
            _flag(
                account,
                "visibility.public",
                "medium",
                f"post:p{i}",
                subject_type="post",
                subject_ref=f"post:p{i}",
                first_seen_at=NOW - timedelta(minutes=i),
            )
            for i in range(n)
        ]
        s.add_all(flags)
        s.flush()
        return [f.id for f in flags]


def _flag_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="flag-(\d+)">', html)]


def test_no_list_silently_stops_every_flag_is_on_some_page(district):
    ids = _many_flags(district, 230)
    client = _client(district, "admin")
    first = client.get("/flags").text
    assert "1&ndash;50 of 234, page 1 of 5" in first and 'rel="next"' in first
    seen = []
    for number in range(1, 6):
        seen += _flag_ids(client.get(f"/flags?page={number}").text)
    assert len(seen) == len(set(seen)) == 234 and set(ids) <= set(seen)
    last = client.get("/flags?page=5").text
    assert "201&ndash;234 of 234" in last and 'rel="next"' not in last
    assert _flag_ids(client.get("/flags?page=999").text) == _flag_ids(last)  # past the end
    # the to-do list pages too
    todo = client.get("/").text
    assert "1&ndash;50 of 234" in todo and "page=2" in todo


def test_the_comment_queue_and_audit_log_page_too(district):
    with district.app.sessions() as s, s.begin():
        account = s.get_one(Account, district.ids["riv_account"])
        s.add_all(_comment(account, f"x{i}", f"comment {i}") for i in range(120))
    client = _client(district, "admin")
    seen = []
    for number in (1, 2, 3):
        seen += re.findall(r'<tr id="comment-(\d+)">', client.get(f"/comments?page={number}").text)
    assert len(set(seen)) == 122  # and one each at Riverside and Mountain
    for _ in range(60):
        client.get("/login")  # nothing; sign-ins make audit rows
        sign_in(client, ROLES["admin"])
    audit = client.get("/audit").text
    assert re.search(r"1&ndash;50 of \d+, page 1 of [2-9]", audit)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=all", {"riv_flag", "mtn_flag", "media_flag", "it_flag"}),
        ("status=all&account=mtn-yt", {"mtn_flag"}),
        ("status=all&rule=media.inquiry", {"media_flag"}),
        ("status=all&severity=critical", {"riv_flag"}),
        ("status=resolved", set()),
        (
            "status=all&rule=nonsense&severity=%00",
            {"riv_flag", "mtn_flag", "media_flag", "it_flag"},
        ),
    ],
)
def test_filters_by_account_rule_severity_and_status(district, query, expected):
    html = _client(district, "admin").get(f"/flags?{query}").text
    by_id = {v: k for k, v in district.ids.items() if k.endswith("_flag")}
    assert {by_id[i] for i in _flag_ids(html)} == expected


def test_sort_by_severity_or_age(district):
    client = _client(district, "admin")
    with district.app.sessions() as s, s.begin():
        s.get_one(Flag, district.ids["mtn_flag"]).first_seen_at = NOW - timedelta(days=9)
    severity = _flag_ids(client.get("/flags?sort=severity").text)
    oldest = _flag_ids(client.get("/flags?sort=oldest").text)
    newest = _flag_ids(client.get("/flags?sort=newest").text)
    assert severity[0] == district.ids["riv_flag"]  # the critical one
    assert oldest[0] == district.ids["mtn_flag"] and newest[-1] == district.ids["mtn_flag"]


def test_bulk_acknowledge_then_undo_both_on_the_record(district):
    client = _client(district, "supervisor")
    ids = [district.ids[k] for k in ("riv_flag", "media_flag", "mtn_flag")]  # mtn: not theirs
    done = client.post(
        "/flags/bulk",
        data={"csrf": _csrf(client, "/flags"), "verb": "ack", "ids": [str(i) for i in ids]},
    )
    assert done.status_code == 200 and "2 flags acknowledged" in done.text
    assert "1 ticked item changed nothing" in done.text
    assert [_status(district, k) for k in ("riv_flag", "media_flag", "mtn_flag")] == [
        "acknowledged",
        "acknowledged",
        "open",
    ]
    undo = re.search(r'<form method="post" action="/flags/bulk">(.*?)</form>', done.text, re.S)
    assert undo and "Undo" in undo.group(1)
    fields = dict(re.findall(r'name="(csrf|verb|back)" value="([^"]*)"', undo.group(1)))
    undo_ids = re.findall(r'name="ids" value="(\d+)"', undo.group(1))
    undone = client.post("/flags/bulk", data={**fields, "ids": undo_ids})
    assert undone.status_code == 200 and "2 flags reopened" in undone.text
    assert _status(district, "riv_flag") == "open" and _status(district, "media_flag") == "open"
    assert len(_audit(district, "flag.acknowledged")) == 2
    assert len(_audit(district, "flag.reopened")) == 2


def _csrf(client, page):
    from tests.support.web_fixtures import csrf_of

    return csrf_of(client.get(page).text)


def test_bulk_mark_reviewed_then_undo(district):
    with district.app.sessions() as s, s.begin():
        account = s.get_one(Account, district.ids["riv_account"])
        extra = [_comment(account, f"b{i}", f"fine {i}") for i in range(3)]
        s.add_all(extra)
        s.flush()
        ids = [c.id for c in extra] + [district.ids["mtn_comment"]]  # the last: not theirs
    client = _client(district, "supervisor")
    done = client.post(
        "/comments/bulk",
        data={"csrf": _csrf(client, "/comments"), "verb": "review", "ids": [str(i) for i in ids]},
    )
    assert done.status_code == 200 and "3 comments marked reviewed" in done.text
    with district.app.sessions() as s:
        assert s.get_one(Comment, district.ids["mtn_comment"]).reviewed_at is None
        assert all(s.get_one(Comment, i).reviewed_by == ROLES["supervisor"] for i in ids[:3])
    undone = client.post(
        "/comments/bulk",
        data={"csrf": _csrf(client, "/comments"), "verb": "unreview", "ids": [str(i) for i in ids]},
    )
    assert "3 comments no longer marked reviewed" in undone.text
    with district.app.sessions() as s:
        assert all(s.get_one(Comment, i).reviewed_at is None for i in ids[:3])
    assert len(_audit(district, "comment.review_undone")) == 3


def test_a_decision_on_a_flag_can_be_reopened(district):
    client = _client(district, "supervisor")
    page = f"/flags/{district.ids['riv_flag']}"
    post(client, page, f"{page}/status", {"verb": "dismiss", "note": "consent on file"})
    html = client.get(page).text
    assert 'value="reopen"' in html and 'value="ack"' not in html
    assert post(client, page, f"{page}/status", {"verb": "reopen"}).status_code == 303
    assert _status(district, "riv_flag") == "open"
    assert [e.detail["previous"] for e in _audit(district, "flag.reopened")] == ["dismissed"]
    history = client.get(page).text
    assert "reopened" in history and "dismissed" in history


def test_the_comment_queue_links_each_comment_to_its_post(district):
    with district.app.sessions() as s, s.begin():
        account = s.get_one(Account, district.ids["riv_account"])
        video = Post(
            account_id=account.id,
            external_id="p1",
            created_at=NOW,
            first_seen_at=NOW,
            url="https://www.youtube.com/watch?v=abc123",
            fingerprint="p1",
        )
        s.add(video)
        s.flush()
        s.get_one(Comment, district.ids["riv_comment"]).post_id = video.id
        hostile = _comment(account, "js", "x")
        hostile.url = "javascript:alert(1)"
        s.add(hostile)
    html = _client(district, "supervisor").get("/comments").text
    assert 'href="https://www.youtube.com/watch?v=abc123"' in html
    assert "Open the post on youtube" in html and "javascript:" not in html


# --- 12. a supervisor downloads their own units' report ----------------------------------


def test_a_supervisor_downloads_only_their_units_report(district):
    csv_text = _client(district, "supervisor").get(
        "/report?start=2026-09-01&end=2026-09-30&format=csv"
    )
    assert csv_text.status_code == 200
    accounts = {row["account"] for row in csv.DictReader(io.StringIO(csv_text.text))}
    assert accounts == {"riv-yt"}
    everything = _client(district, "auditor").get(
        "/report?start=2026-09-01&end=2026-09-30&format=csv"
    )
    assert {row["account"] for row in csv.DictReader(io.StringIO(everything.text))} == {
        "riv-yt",
        "mtn-yt",
    }


# --- 13. manual attestation --------------------------------------------------------------


@pytest.fixture
def snapchat(district):
    from tests.support import factory

    with district.app.sessions() as s, s.begin():
        account = s.get_one(Account, district.ids["riv_account"])
        snap = factory.account(
            s,
            account.org_unit,
            account.supervisor,
            "riv-snap",
            platform="snapchat",
            status="manual",
        )
        return snap.id


def _attest(client, account_id, **form):
    data = {"comments": "yes", "privacy": "yes", "student_information": "yes", **form}
    return post(client, "/accounts", f"/accounts/{account_id}/attest", data)


def test_a_supervisor_records_a_manual_check_and_it_counts_until_due(district, snapchat):
    client = _client(district, "supervisor")
    todo = client.get("/").text
    assert "Check @riv-snap (snapchat) by hand" in todo and "never checked" in todo
    done = _attest(client, snapchat, checked_on="2026-09-15", note="all fine")
    assert done.status_code == 303
    with district.app.sessions() as s:
        row = s.scalars(select(Attestation)).one()
        assert (row.recorded_by, str(row.checked_on)) == (ROLES["supervisor"], "2026-09-15")
        assert row.comments and row.privacy and row.student_information
    assert "Check @riv-snap" not in client.get("/").text
    page = client.get("/accounts").text
    assert "Last checked Tue 15 Sep 2026 by principal.riverside" in page
    assert "next due Thu 15 Oct 2026" in page
    assert [e.object_id for e in _audit(district, "account.attested")] == ["riv-snap"]
    district.now[0] = NOW + timedelta(days=29)  # 30 days after the check
    assert "Check @riv-snap (snapchat) by hand" in _client(district, "supervisor").get("/").text


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"privacy": ""}, "Tick each point you checked"),
        ({"checked_on": "2026-09-17"}, "cannot be in the future"),
        ({"checked_on": "2026-08-01"}, "already older than 30 days"),
        ({"checked_on": "yesterday"}, "like 2026-09-30"),
        ({"note": "x" * 4001}, "under 4,000"),
    ],
)
def test_a_bad_attestation_is_refused_with_a_clear_message(district, snapchat, form, says):
    response = _attest(_client(district, "supervisor"), snapchat, **form)
    assert response.status_code == 400 and says in response.text
    with district.app.sessions() as s:
        assert s.scalars(select(Attestation)).all() == []


def test_only_supervisors_and_admins_attest_and_only_their_accounts(district, snapchat):
    assert _attest(_client(district, "it"), snapchat).status_code == 403
    assert _attest(_client(district, "auditor"), snapchat).status_code == 403
    with district.app.sessions() as s, s.begin():
        other = s.get_one(Account, district.ids["mtn_account"])
        other.status = "manual"
    mtn = district.ids["mtn_account"]
    assert _attest(_client(district, "supervisor"), mtn).status_code == 404
    refused = _attest(_client(district, "admin"), district.ids["riv_account"])
    assert refused.status_code == 400 and "checked by Hallwatch itself" in refused.text


def test_the_dashboard_counts_this_weeks_comments_in_languages_not_checked(district):
    # Given comments of this week in Punjabi on a Riverside account and in Tagalog on
    # Mountain's, and one French comment (covered)
    with district.app.sessions() as s, s.begin():
        riv = s.scalars(select(Account).where(Account.key == "riv-yt")).one()
        mtn = s.scalars(select(Account).where(Account.key == "mtn-yt")).one()
        for ref, account, lang in [("pa1", riv, "pa"), ("pa2", riv, "pa"), ("fr1", riv, "fr")]:
            s.add(_lang(account, ref, lang))
        s.add(_lang(mtn, "tl1", "tl"))
    # The Riverside principal sees Riverside's count only; an administrator sees both
    html = _client(district, "supervisor").get("/").text
    assert "2 comments in Punjabi" in html and "Tagalog" not in html and "French" not in html
    assert "review rule still applies" in html
    html = _client(district, "admin").get("/").text
    assert "2 comments in Punjabi, 1 comment in Tagalog" in html


def _lang(account, ref, lang):
    comment = _comment(account, ref, "text")
    comment.language = lang
    comment.first_seen_at = NOW - timedelta(hours=1)
    return comment
