"""Structural rules: comments.unreviewed, visibility.public, account.personal_email,
account.unapproved and account.unidentified, read from an account's state.

Each test reads Given (an account state) / When (the detector runs at a fixed ``now``) /
Then (the findings). Times are aware UTC; nothing reads the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

import detectors
from detectors.base import (
    AccountState,
    CommentState,
    Context,
    Finding,
    PostState,
    ProfileState,
)
from detectors.structural import (
    STRUCTURAL_DETECTORS,
    ApprovalDetector,
    CommentsReviewDetector,
    IdentificationDetector,
    PersonalEmailDetector,
    VisibilityDetector,
)

NOW = datetime(2024, 5, 14, 15, 30, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
DISTRICT = ("district.k12.us",)
STRUCTURAL_RULES = (
    "comments.unreviewed",
    "visibility.public",
    "account.personal_email",
    "account.unapproved",
    "account.unidentified",
)

CLEAN_PROFILE = ProfileState(
    visibility="private",
    comments_enabled=True,
    about="Official channel of Lincoln High School, part of the Riverside District.",
    website="https://lincoln.district.k12.us/",
    contact_email="office@lincoln.district.k12.us",
)


def make_account(**changes) -> AccountState:
    """A compliant, recently polled YouTube account; ``changes`` break it."""
    base = AccountState(
        id="acct-1",
        platform="youtube",
        handle="@lincolnhigh",
        can_be_private=True,
        owner_email="j.smith@district.k12.us",
        last_polled_at=NOW - HOUR,
        profile=CLEAN_PROFILE,
        identification_terms=("Lincoln High",),
        website_domains=("lincoln.district.k12.us",),
    )
    return replace(base, **changes)


def make_context(account: AccountState | None, **changes) -> Context:
    return replace(Context(now=NOW, district_domains=DISTRICT, account=account), **changes)


def comment(cid: str, age: timedelta, **changes) -> CommentState:
    return CommentState(id=cid, first_seen_at=NOW - age, **changes)


def profile(**changes) -> ProfileState:
    return replace(CLEAN_PROFILE, **changes)


def broken_account() -> AccountState:
    """An account that breaks every structural rule at once."""
    return make_account(
        approval_status="pending",
        owner_email="jsmith@gmail.com",
        comments_policy="off",
        last_polled_at=NOW - 10 * DAY,
        profile=profile(visibility="public", about="Go team!", website=""),
        comments=(comment("c1", 2 * DAY),),
    )


# --- comments.unreviewed ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "overdue"),
    [
        pytest.param(comment("c1", 2 * DAY), True, id="comments.unreviewed-published-old"),
        pytest.param(comment("c1", DAY), True, id="comments.unreviewed-exactly-window"),
        pytest.param(
            comment("c1", 2 * DAY, status="held"), True, id="comments.unreviewed-held-backlog"
        ),
        pytest.param(
            comment("c1", DAY - timedelta(minutes=1)), False, id="comments.unreviewed-in-window"
        ),
        pytest.param(
            comment("c1", 2 * DAY, reviewed_at=NOW - DAY),
            False,
            id="comments.unreviewed-marked-or-replied",
        ),
        pytest.param(
            comment("c1", 2 * DAY, status="hidden"), False, id="comments.unreviewed-hidden"
        ),
        pytest.param(
            comment("c1", 2 * DAY, status="rejected"), False, id="comments.unreviewed-rejected"
        ),
        pytest.param(
            comment("c1", 2 * DAY, status="deleted"), False, id="comments.unreviewed-deleted"
        ),
        pytest.param(
            comment("c1", 2 * DAY, by_account=True), False, id="comments.unreviewed-own-comment"
        ),
    ],
)
def test_comments_unreviewed_single_comment_table(state: CommentState, overdue: bool) -> None:
    # Given an account with one comment in the given review state
    context = make_context(make_account(comments=(state,)))
    # When the comments detector runs
    found = list(CommentsReviewDetector().detect([], context))
    # Then it is flagged exactly when the comment is overdue
    assert [f.details["overdue"] for f in found] == ([["c1"]] if overdue else [])
    assert all(f.rule == "comments.unreviewed" and f.severity == "medium" for f in found)


def test_comments_unreviewed_many_overdue_make_one_finding() -> None:
    # Given thirty overdue comments (five held), one reviewed and one fresh
    overdue = [comment(f"c{n:02d}", 2 * DAY) for n in range(25)]
    held = [comment(f"h{n}", 3 * DAY, status="held") for n in range(5)]
    others = [comment("ok", 2 * DAY, reviewed_at=NOW), comment("new", HOUR)]
    account = make_account(comments=tuple(reversed(overdue + held + others)))
    # When the comments detector runs
    found = list(CommentsReviewDetector().detect([], make_context(account)))
    # Then there is one finding listing every overdue id, sorted, and the held count
    assert len(found) == 1
    finding = found[0]
    assert finding.rule == "comments.unreviewed"
    assert finding.details["overdue"] == sorted(c.id for c in overdue + held)
    assert finding.details["held"] == 5
    assert "@lincolnhigh" in finding.explanation
    assert "30 comments" in finding.explanation and "24 hours" in finding.explanation


def test_comments_unreviewed_same_key_within_one_window() -> None:
    # Given an account with an overdue comment, checked twice in the same UTC day
    account = make_account(comments=(comment("c1", 3 * DAY),))
    early = datetime(2024, 5, 14, 0, 5, tzinfo=UTC)
    late = datetime(2024, 5, 14, 23, 55, tzinfo=UTC)
    # When the detector runs at both times
    keys = {
        f.key
        for now in (early, late)
        for f in CommentsReviewDetector().detect([], make_context(account, now=now))
    }
    # Then both runs give the same key, naming the window's UTC start
    assert keys == {"window:2024-05-14T00:00:00+00:00"}


def test_comments_unreviewed_new_key_in_next_window() -> None:
    # Given an account with an overdue comment and a six-hour review window
    account = make_account(comments=(comment("c1", 3 * DAY),))
    detector = CommentsReviewDetector()
    # When the detector runs in two different windows
    first = detector.detect([], make_context(account, review_window=6 * HOUR))
    second = detector.detect([], make_context(account, review_window=6 * HOUR, now=NOW + 6 * HOUR))
    # Then the keys differ, one per window
    assert [f.key for f in first] == ["window:2024-05-14T12:00:00+00:00"]
    assert [f.key for f in second] == ["window:2024-05-14T18:00:00+00:00"]


@pytest.mark.parametrize(
    ("policy", "enabled", "flagged"),
    [
        pytest.param("off", True, True, id="comments.unreviewed-on-against-policy"),
        pytest.param("off", False, False, id="comments.unreviewed-off-as-policy"),
        pytest.param("off", None, False, id="comments.unreviewed-setting-unknown"),
        pytest.param("moderated", True, False, id="comments.unreviewed-moderated-on"),
    ],
)
def test_comments_unreviewed_comments_policy_table(
    policy: str, enabled: bool | None, flagged: bool
) -> None:
    # Given an account whose registry policy and profile setting are as listed
    account = make_account(comments_policy=policy, profile=profile(comments_enabled=enabled))
    # When the comments detector runs
    found = list(CommentsReviewDetector().detect([], make_context(account)))
    # Then comments switched on against an "off" policy are flagged
    expected = ["comments-on-against-policy"] if flagged else []
    assert [f.key for f in found] == expected
    assert all(f.rule == "comments.unreviewed" for f in found)


@pytest.mark.parametrize("status", ["manual", "retired"])
def test_comments_unreviewed_skips_manual_and_retired_accounts(status: str) -> None:
    # Given a manual or retired account with overdue comments and comments on against policy
    account = make_account(status=status, comments_policy="off", comments=(comment("c1", 3 * DAY),))
    # When the comments detector runs
    found = list(CommentsReviewDetector().detect([], make_context(account)))
    # Then nothing is raised for comments.unreviewed
    assert [f for f in found if f.rule == "comments.unreviewed"] == []


# --- visibility.public --------------------------------------------------------------------

FACEBOOK = {"platform": "facebook", "can_be_private": False}
NEED = {"educational_need": "Community newsletter for families"}


@pytest.mark.parametrize(
    ("changes", "keys"),
    [
        pytest.param(
            {"profile": profile(visibility="public")},
            {"account"},
            id="visibility.public-public-registered-private",
        ),
        pytest.param({}, set(), id="visibility.public-private-as-registered"),
        pytest.param(
            {"audience": "public", "profile": profile(visibility="public")},
            {"educational-need"},
            id="visibility.public-public-no-need",
        ),
        pytest.param(
            {"audience": "public", "profile": profile(visibility="public"), **NEED},
            set(),
            id="visibility.public-public-need-no-expiry",
        ),
        pytest.param(
            {
                "audience": "public",
                "profile": profile(visibility="public"),
                "audience_expires": NOW + DAY,
                **NEED,
            },
            set(),
            id="visibility.public-public-need-unexpired",
        ),
        pytest.param(
            {
                "audience": "public",
                "profile": profile(visibility="public"),
                "audience_expires": NOW,
                **NEED,
            },
            {"educational-need"},
            id="visibility.public-public-need-expired",
        ),
        pytest.param(
            {"audience": "public", "profile": profile(visibility="private")},
            set(),
            id="visibility.public-registered-public-but-private",
        ),
        pytest.param(
            {**FACEBOOK, "audience": "public", "audience_expires": NOW + DAY, **NEED},
            set(),
            id="visibility.public-cannot-be-private-need-recorded",
        ),
        pytest.param(
            {**FACEBOOK, "audience": "public"},
            {"educational-need"},
            id="visibility.public-cannot-be-private-no-need",
        ),
        pytest.param(
            {**FACEBOOK, "audience": "private"},
            {"educational-need"},
            id="visibility.public-cannot-be-private-registered-private",
        ),
        pytest.param(
            {**FACEBOOK, "audience": "private", "profile": None},
            set(),
            id="visibility.public-no-profile",
        ),
    ],
)
def test_visibility_public_account_table(changes: dict, keys: set[str]) -> None:
    # Given an account with the listed registry audience, platform and profile
    context = make_context(make_account(**changes))
    # When the visibility detector runs
    found = list(VisibilityDetector().detect([], context))
    # Then exactly the expected keys are raised, all as visibility.public
    assert {f.key for f in found} == keys
    assert all(f.rule == "visibility.public" and f.severity == "medium" for f in found)


def test_visibility_public_expired_need_names_the_date() -> None:
    # Given a public account whose educational need expired on 1 May
    expired = datetime(2024, 5, 1, tzinfo=UTC)
    account = make_account(
        audience="public", profile=profile(visibility="public"), audience_expires=expired, **NEED
    )
    # When the visibility detector runs
    (finding,) = VisibilityDetector().detect([], make_context(account))
    # Then the explanation says when the need expired
    assert finding.rule == "visibility.public"
    assert "expired on 2024-05-01" in finding.explanation
    assert "@lincolnhigh" in finding.explanation


def test_visibility_public_cannot_be_private_explains_no_toggle() -> None:
    # Given a Facebook page the registry says is private, with no recorded need
    account = make_account(**FACEBOOK, audience="private")
    # When the visibility detector runs
    (finding,) = VisibilityDetector().detect([], make_context(account))
    # Then it explains the platform cannot be private and asks for the exceptions register
    assert finding.rule == "visibility.public"
    assert finding.key == "educational-need"
    assert "cannot be made private" in finding.explanation
    assert "exceptions register" in finding.explanation
    assert "make the account private" not in finding.explanation


@pytest.mark.parametrize(
    ("changes", "keys"),
    [
        pytest.param({}, {"post:p2"}, id="visibility.public-public-post-on-private-account"),
        pytest.param(
            {"audience": "public", **NEED}, set(), id="visibility.public-post-public-audience"
        ),
        pytest.param(
            {**FACEBOOK, **NEED, "audience_expires": NOW + DAY},
            set(),
            id="visibility.public-post-platform-cannot-be-private",
        ),
    ],
)
def test_visibility_public_post_table(changes: dict, keys: set[str]) -> None:
    # Given an account with one private and one public post
    posts = (PostState(id="p1", visibility="private"), PostState(id="p2", visibility="public"))
    account = make_account(posts=posts, **changes)
    # When the visibility detector runs
    found = [f for f in VisibilityDetector().detect([], make_context(account))]
    # Then only a public post on a private-audience account is flagged, with its id as subject
    post_findings = [f for f in found if f.key.startswith("post:")]
    assert {f.key for f in post_findings} == keys
    assert all(f.subject == f.key.removeprefix("post:") for f in post_findings)
    assert all(f.rule == "visibility.public" for f in post_findings)


@pytest.mark.parametrize(
    ("old", "new", "keys"),
    [
        pytest.param(
            "private",
            "public",
            {"changed:private->public", "account"},
            id="visibility.public-changed-to-public",
        ),
        pytest.param(
            "public",
            "private",
            {"changed:public->private"},
            id="visibility.public-changed-to-private",
        ),
        pytest.param("private", "private", set(), id="visibility.public-unchanged"),
        pytest.param("unknown", "private", set(), id="visibility.public-old-unknown"),
        pytest.param("private", "unknown", set(), id="visibility.public-new-unknown"),
        pytest.param(None, "private", set(), id="visibility.public-first-poll"),
    ],
)
def test_visibility_public_setting_change_table(old: str | None, new: str, keys: set[str]) -> None:
    # Given a profile whose privacy setting went from ``old`` to ``new`` between polls
    previous = profile(visibility=old) if old is not None else None
    account = make_account(profile=profile(visibility=new), previous_profile=previous)
    # When the visibility detector runs
    found = list(VisibilityDetector().detect([], make_context(account)))
    # Then a real change is flagged, with both settings in the key
    assert {f.key for f in found} == keys
    assert all(f.rule == "visibility.public" for f in found)


# --- account.personal_email ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "contact", "keys"),
    [
        pytest.param("j.smith@district.k12.us", "", set(), id="account.personal_email-district"),
        pytest.param(
            "j.smith@lincoln.district.k12.us", "", set(), id="account.personal_email-subdomain"
        ),
        pytest.param(
            "J.Smith@District.K12.US", "", set(), id="account.personal_email-case-insensitive"
        ),
        pytest.param(
            "jsmith@gmail.com",
            "",
            {"email:jsmith@gmail.com"},
            id="account.personal_email-gmail",
        ),
        pytest.param(
            "JSmith@Gmail.com",
            "",
            {"email:jsmith@gmail.com"},
            id="account.personal_email-key-lowercased",
        ),
        pytest.param(
            "j@evildistrict.k12.us",
            "",
            {"email:j@evildistrict.k12.us"},
            id="account.personal_email-lookalike-suffix",
        ),
        pytest.param(
            "j@district.k12.us.example.com",
            "",
            {"email:j@district.k12.us.example.com"},
            id="account.personal_email-lookalike-prefix",
        ),
        pytest.param("", "", {"email:missing"}, id="account.personal_email-missing"),
        pytest.param(
            "j.smith@district.k12.us",
            "coach.j@yahoo.com",
            {"email:coach.j@yahoo.com"},
            id="account.personal_email-profile-contact",
        ),
        pytest.param(
            "jsmith@gmail.com",
            "JSMITH@gmail.com",
            {"email:jsmith@gmail.com"},
            id="account.personal_email-same-address-once",
        ),
    ],
)
def test_account_personal_email_table(owner: str, contact: str, keys: set[str]) -> None:
    # Given an account with the listed owner and profile contact addresses
    account = make_account(owner_email=owner, profile=profile(contact_email=contact))
    # When the e-mail detector runs with the district's domains
    found = list(PersonalEmailDetector().detect([], make_context(account)))
    # Then each non-district address is flagged once, as high severity
    assert {f.key for f in found} == keys and len(found) == len(keys)
    assert all(f.rule == "account.personal_email" and f.severity == "high" for f in found)


def test_account_personal_email_explanation_names_address_and_handle() -> None:
    # Given an account registered with a personal address
    account = make_account(owner_email="jsmith@gmail.com")
    # When the e-mail detector runs
    (finding,) = PersonalEmailDetector().detect([], make_context(account))
    # Then the sentence names the account and the address
    assert finding.rule == "account.personal_email"
    assert "@lincolnhigh" in finding.explanation
    assert "jsmith@gmail.com" in finding.explanation


def test_account_personal_email_unconfigured_domains_raise_nothing() -> None:
    # Given no district domains configured
    account = make_account(owner_email="jsmith@gmail.com")
    # When the e-mail detector runs
    found = list(PersonalEmailDetector().detect([], make_context(account, district_domains=())))
    # Then account.personal_email raises nothing
    assert [f for f in found if f.rule == "account.personal_email"] == []


# --- account.unapproved -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({}, set(), id="account.unapproved-approved-recently-polled"),
        pytest.param(
            {"approval_status": "pending"},
            {("approval:pending", "medium")},
            id="account.unapproved-pending",
        ),
        pytest.param(
            {"approval_status": "rejected"},
            {("approval:rejected", "medium")},
            id="account.unapproved-rejected",
        ),
        pytest.param(
            {"status": "credentials_broken", "last_polled_at": NOW - 10 * DAY},
            {("credentials", "high")},
            id="account.unapproved-credentials-broken",
        ),
        pytest.param(
            {"last_polled_at": NOW - 4 * DAY},
            {("stale", "medium")},
            id="account.unapproved-stale",
        ),
        pytest.param(
            {"last_polled_at": None}, {("stale", "medium")}, id="account.unapproved-never-polled"
        ),
        pytest.param(
            {"last_polled_at": None, "registered_at": NOW - DAY},
            set(),
            id="account.unapproved-new-not-yet-polled",
        ),
        pytest.param(
            {"last_polled_at": None, "registered_at": NOW - 4 * DAY},
            {("stale", "medium")},
            id="account.unapproved-registered-long-ago-never-polled",
        ),
        pytest.param(
            {"last_polled_at": NOW - 3 * DAY}, set(), id="account.unapproved-exactly-stale-after"
        ),
        pytest.param(
            {"platform": "snapchat", "has_api": False, "status": "manual", "last_polled_at": None},
            set(),
            id="account.unapproved-manual-never-polled",
        ),
        pytest.param(
            {"status": "manual", "last_polled_at": None},
            set(),
            id="account.unapproved-manual-with-api",
        ),
    ],
)
def test_account_unapproved_table(changes: dict, expected: set[tuple[str, str]]) -> None:
    # Given an account with the listed approval, status and poll history
    context = make_context(make_account(**changes))
    # When the approval detector runs
    found = list(ApprovalDetector().detect([], context))
    # Then exactly the expected (key, severity) pairs are raised
    assert {(f.key, f.severity) for f in found} == expected
    assert all(f.rule == "account.unapproved" for f in found)


@pytest.mark.parametrize(
    ("last", "phrase"),
    [
        pytest.param(
            NOW - 4 * DAY, "not been checked since 2024-05-10", id="account.unapproved-since"
        ),
        pytest.param(None, "not been checked ever", id="account.unapproved-ever"),
    ],
)
def test_account_unapproved_stale_explanation(last: datetime | None, phrase: str) -> None:
    # Given an active account last polled at ``last``
    account = make_account(last_polled_at=last)
    # When the approval detector runs
    (finding,) = ApprovalDetector().detect([], make_context(account))
    # Then the explanation says since when it was not checked
    assert finding.rule == "account.unapproved"
    assert phrase in finding.explanation


def test_account_unapproved_broken_credentials_ask_it_to_reconnect() -> None:
    # Given an account whose credentials stopped working
    account = make_account(status="credentials_broken")
    # When the approval detector runs
    (finding,) = ApprovalDetector().detect([], make_context(account))
    # Then the sentence says it cannot be checked and IT must reconnect it
    assert (finding.rule, finding.key) == ("account.unapproved", "credentials")
    assert "cannot check" in finding.explanation and "IT" in finding.explanation


# --- account.unidentified -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        pytest.param({}, None, id="account.unidentified-identified"),
        pytest.param(
            {"about": "Welcome to   LINCOLN\nhigh news!"},
            None,
            id="account.unidentified-case-and-whitespace",
        ),
        pytest.param(
            {
                "about": "Lincoln High. More at https://www.lincoln.district.k12.us/news",
                "website": "",
            },
            None,
            id="account.unidentified-link-in-about",
        ),
        pytest.param(
            {"website": "lincoln.district.k12.us/sports"},
            None,
            id="account.unidentified-website-without-scheme",
        ),
        pytest.param({"about": "Go Lions!"}, ["name"], id="account.unidentified-no-name"),
        pytest.param(
            {"website": "https://lincoln.district.k12us.example.com"},
            ["link"],
            id="account.unidentified-wrong-domain",
        ),
        pytest.param(
            {"about": "Lincoln High. Mail office@lincoln.district.k12.us", "website": ""},
            ["link"],
            id="account.unidentified-email-is-not-a-link",
        ),
        pytest.param(
            {"about": "Go Lions!", "website": ""},
            ["name", "link"],
            id="account.unidentified-both-missing",
        ),
    ],
)
def test_account_unidentified_table(changes: dict, missing: list[str] | None) -> None:
    # Given a profile with the listed about text and website
    account = make_account(profile=profile(**changes))
    # When the identification detector runs
    found = list(IdentificationDetector().detect([], make_context(account)))
    # Then one low finding lists what is missing, or nothing is raised
    assert [f.details["missing"] for f in found] == ([missing] if missing else [])
    assert all(
        (f.rule, f.severity, f.key) == ("account.unidentified", "low", "identification")
        for f in found
    )


@pytest.mark.parametrize(
    ("missing_changes", "phrase"),
    [
        pytest.param({"about": "Go Lions!"}, "does not name", id="account.unidentified-name"),
        pytest.param({"website": ""}, "does not link", id="account.unidentified-link"),
        pytest.param(
            {"about": "Go Lions!", "website": ""}, "neither names", id="account.unidentified-both"
        ),
    ],
)
def test_account_unidentified_explanation_lists_missing(missing_changes: dict, phrase: str) -> None:
    # Given a profile missing the name, the link, or both
    account = make_account(profile=profile(**missing_changes))
    # When the identification detector runs
    (finding,) = IdentificationDetector().detect([], make_context(account))
    # Then the explanation says what is missing and names the account
    assert finding.rule == "account.unidentified"
    assert phrase in finding.explanation and "@lincolnhigh" in finding.explanation


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            {
                "identification_terms": (),
                "website_domains": (),
                "profile": profile(about="", website=""),
            },
            id="account.unidentified-not-configured",
        ),
        pytest.param({"profile": None}, id="account.unidentified-no-profile"),
        pytest.param(
            {"website_domains": (), "profile": profile(website="")},
            id="account.unidentified-only-terms-configured",
        ),
    ],
)
def test_account_unidentified_raises_nothing_when_not_applicable(changes: dict) -> None:
    # Given identification not configured, no profile, or only terms configured and met
    account = make_account(**changes)
    # When the identification detector runs
    found = list(IdentificationDetector().detect([], make_context(account)))
    # Then account.unidentified raises nothing
    assert [f for f in found if f.rule == "account.unidentified"] == []


# --- every structural rule ---------------------------------------------------------------


@pytest.mark.parametrize("rule", STRUCTURAL_RULES)
def test_rule_clean_account_raises_nothing(rule: str) -> None:
    # Given a compliant account with reviewed and fresh comments, only ``rule`` enabled
    comments = (comment("c1", 2 * DAY, reviewed_at=NOW - DAY), comment("c2", HOUR))
    context = make_context(make_account(comments=comments), enabled=frozenset({rule}))
    # When every detector runs
    found = detectors.run([], context)
    # Then nothing is raised for that rule
    assert found == []


@pytest.mark.parametrize("rule", STRUCTURAL_RULES)
def test_rule_no_account_raises_nothing(rule: str) -> None:
    # Given no account in the context
    context = make_context(None, enabled=frozenset({rule}))
    # When every detector runs, Then nothing is raised
    assert detectors.run([], context) == []


@pytest.mark.parametrize("rule", STRUCTURAL_RULES)
def test_rule_run_respects_enabled(rule: str) -> None:
    # Given an account breaking every structural rule, and only ``rule`` enabled
    context = make_context(broken_account(), enabled=frozenset({rule}))
    # When detectors.run applies the enabled detectors
    found = detectors.run([], context)
    # Then only findings of that rule come back, and at least one does
    assert found and {f.rule for f in found} == {rule}


@pytest.mark.parametrize("rule", STRUCTURAL_RULES)
def test_rule_run_all_enabled_and_none_enabled(rule: str) -> None:
    # Given an account breaking every structural rule
    account = broken_account()
    # When run with every rule enabled (None) and with no rule enabled
    everything = detectors.run([], make_context(account))
    nothing = detectors.run([], make_context(account, enabled=frozenset()))
    # Then ``rule`` is raised in the first case and nothing in the second
    assert rule in {f.rule for f in everything}
    assert nothing == []


@pytest.mark.parametrize("rule", STRUCTURAL_RULES)
def test_rule_findings_carry_detector_version_and_clause(rule: str) -> None:
    # Given an account breaking every structural rule
    context = make_context(broken_account(), enabled=frozenset({rule}))
    # When detectors.run raises ``rule``
    found: list[Finding] = detectors.run([], context)
    # Then each finding names the detector that declares the rule, its version and a clause
    owners = {d.name: d for d in STRUCTURAL_DETECTORS if rule in d.rules}
    for finding in found:
        assert finding.detector in owners
        assert finding.version == owners[finding.detector].version != ""
        assert finding.clause.startswith("Procedure 417")
        assert "@lincolnhigh" in finding.explanation


@pytest.mark.parametrize("rule", STRUCTURAL_RULES)
def test_rule_is_deterministic_and_owned_by_one_detector(rule: str) -> None:
    # Given an account breaking every structural rule, only ``rule`` enabled
    context = make_context(broken_account(), enabled=frozenset({rule}))
    # When detectors.run runs twice on the same inputs
    first, second = detectors.run([], context), detectors.run([], context)
    # Then the findings are identical, and exactly one structural detector declares the rule
    assert first == second
    assert len([d for d in STRUCTURAL_DETECTORS if rule in d.rules]) == 1


@pytest.mark.parametrize(
    ("outcome", "status", "raised"),
    [
        ("ConfigurationError", "active", True),
        ("PermanentError", "active", True),
        ("ok", "active", False),
        ("", "active", False),
        ("AuthRevoked", "credentials_broken", False),  # the credentials finding covers it
    ],
    ids=[
        "account.unapproved-config",
        "account.unapproved-permanent",
        "account.unapproved-ok",
        "account.unapproved-never",
        "account.unapproved-broken",
    ],
)
def test_account_unapproved_poll_problem(outcome: str, status: str, raised: bool) -> None:
    # Given an account whose last poll failed with a set-up problem
    account = AccountState(
        id="a",
        platform="x",
        handle="@a",
        can_be_private=True,
        status=status,
        last_polled_at=NOW,
        last_poll_outcome=outcome,
        last_poll_error="x: this endpoint needs the Basic access level",
    )
    # When the approval rule runs
    found = detectors.run([], Context(now=NOW, account=account))
    findings = [f for f in found if f.key.startswith("poll-problem:")]
    # Then a high account.unapproved finding explains it, naming the problem
    assert bool(findings) is raised
    if raised:
        [f] = findings
        assert f.rule == "account.unapproved" and f.severity == "high"
        assert "Basic access level" in f.explanation
