"""``hallwatch scan`` sees what a worker sees: the same settings, the stored roster, consents
and organisation units' contacts, so a text gets the same findings from both.

Given the sandbox district's registry, roster and consents in a database, When the same texts
are polled by the pipeline (as a worker does) and scanned by ``hallwatch scan`` with the same
environment, Then each text has the same rules at the same severities; and a setting given in
the environment changes both alike.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from detectors import SEVERITIES
from monitor.cli import main
from monitor.core.settings import load_settings
from monitor.ingest import pipeline
from monitor.registry import accounts as registry
from monitor.registry.roster import import_consents, import_roster
from monitor.storage.db import make_engine, open_app, upgrade
from monitor.storage.models import Account, Flag, OrgUnit, Supervisor
from tests.support import factory
from tests.support.factory import CLEAN_PROFILE, at
from tests.support.paths import SANDBOX

ITEM_RULES = {"pii.student", "language.prohibited", "media.inquiry"}
TEXTS = {
    "office-phone": "Riverside office: call 604-555-0141 if your child will be absent today.",
    "office-email": "Forms for your child's field trip: riverside@fvsd.example.ca",
    "school-address": "Our school is located at 1410 Riverside Drive, next to the park.",
    "birth-year": "Registration opens for children born in 2021.",
    "parent-phone": "My son is sick today, call me at 604-555-0199 please",
    "parent-email": "My son is sick today, email me at parent@fvsd.example.ca",
    "student": "Congratulations to Emma Schmidt in grade 3 for the spelling bee!",
    "consented": "Congratulations to Olivia Chen in grade 3 for the spelling bee!",
    "number": "Student 204518, your jacket is at the office.",
    "threat": "I know where you park. You'll regret this.",
    "media": "I'm a reporter with the Valley Times; could the principal comment by 5pm?",
}


def _env(tmp_path: Any, **extra: str) -> dict[str, str]:
    return {
        "HALLWATCH_CONFIG": "",
        "HALLWATCH_VAR_DIR": str(tmp_path / "var"),
        "HALLWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'hallwatch.db'}",
        "HALLWATCH_SECRET_KEY": "scan-as-worker",
        "HALLWATCH_DELIVERY_GROUP_MINUTES": "0",
        **extra,
    }


def _worker(tmp_path: Any, env: dict[str, str]) -> dict[str, set[tuple[str, str]]]:
    """Poll the texts as comments through the pipeline; each comment's (rule, severity)."""
    settings = load_settings(environ=env)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    comments = [
        {"id": key, "post": "p1", "at_hours": 2, "text": text} for key, text in TEXTS.items()
    ]
    path = factory.scenario(
        tmp_path / "scenario.json",
        {
            "riv-yt": {
                "profile": CLEAN_PROFILE,
                "posts": [{"id": "p1", "at_hours": 1, "text": "Spelling bee results"}],
                "comments": comments,
            }
        },
    )
    app = open_app(settings.replace(sandbox__scenario=str(path)))
    with app.sessions() as s, s.begin():
        for kind, name in (("orgs", "org-units"), ("supervisors", "supervisors")):
            with (SANDBOX / f"{name}.csv").open(encoding="utf-8") as stream:
                registry.import_csv(s, kind, stream)
        with (SANDBOX / "roster.csv").open(encoding="utf-8") as stream:
            import_roster(s, settings, stream, "test", at(0))
        with (SANDBOX / "consent.csv").open(encoding="utf-8") as stream:
            import_consents(s, settings, stream, "test", at(0))
        school = s.scalars(select(OrgUnit).where(OrgUnit.code == "RIV")).one()
        principal = s.scalars(select(Supervisor).where(Supervisor.org_unit_id == school.id)).first()
        assert principal is not None
        account_id = factory.account(s, school, principal, "riv-yt").id
    pipeline.poll_account(app, account_id, at(3))
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with app.sessions() as s:
        for flag in s.scalars(select(Flag).join(Account).where(Flag.rule_id.in_(ITEM_RULES))):
            found[flag.subject_ref.removeprefix("comment:")].add((flag.rule_id, flag.severity))
    engine.dispose()
    return dict(found)


def _scan(env: dict[str, str], *args: str) -> dict[str, set[tuple[str, str]]]:
    lines = "".join(
        json.dumps({"id": key, "text": text, "kind": "comment"}) + "\n"
        for key, text in TEXTS.items()
    )
    result = CliRunner().invoke(main, ["scan", *args], input=lines, env=env)
    assert result.exit_code == 0, result.output
    found: dict[str, set[tuple[str, str]]] = {}
    for line in result.stdout.splitlines():
        row = json.loads(line)
        worst: dict[str, str] = {}
        for f in row["findings"]:
            if f["rule"] not in worst or SEVERITIES.index(f["severity"]) < SEVERITIES.index(
                worst[f["rule"]]
            ):
                worst[f["rule"]] = f["severity"]
        if worst:
            found[row["id"]] = set(worst.items())
    return found


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"HALLWATCH_DISTRICT_DOMAINS": "fvsd.example.ca"},
        {"HALLWATCH_DETECTION_ALLOW_PHONES": "604-555-0199"},
        {"HALLWATCH_DETECTION_REGION": "US"},
    ],
    ids=["defaults", "district-domains", "allowed-phone", "region"],
)
def test_scan_and_a_worker_find_the_same_on_the_same_district(tmp_path, extra):
    env = _env(tmp_path, **extra)
    worker = _worker(tmp_path, env)
    assert _scan(env) == worker
    # the school's own contacts, a year of birth and a consented student are never PII
    for quiet in ("office-phone", "office-email", "school-address", "birth-year", "consented"):
        assert quiet not in worker, (quiet, worker.get(quiet))
    assert ("pii.student", "critical") in worker["student"]
    assert ("pii.student", "critical") in worker["number"]


def test_a_setting_in_the_environment_changes_scan_as_it_changes_a_worker(tmp_path):
    plain = _scan(_env(tmp_path))
    allowed = _scan(_env(tmp_path, HALLWATCH_DETECTION_ALLOW_PHONES="604-555-0199"))
    domains = _scan(_env(tmp_path, HALLWATCH_DISTRICT_DOMAINS="fvsd.example.ca"))
    assert "parent-phone" in plain and "parent-phone" not in allowed
    assert "parent-email" in plain and "parent-email" not in domains


def test_roster_and_consent_files_replace_the_stored_ones(tmp_path):
    env = _env(tmp_path)
    _worker(tmp_path, env)  # the database now holds the sandbox roster and consents
    assert ("pii.student", "critical") in _scan(env)["student"]
    no_one = tmp_path / "empty-roster.csv"
    no_one.write_text(
        "student_number,legal_first_name,legal_last_name,preferred_first_name,school,grade\n"
        "999001,Zed,Quill,,RIV,3\n"
    )
    assert "student" not in _scan(env, "--roster", str(no_one))
    everyone = tmp_path / "consent.csv"
    everyone.write_text("student_number,media_release\n204511,yes\n")
    assert "student" not in _scan(env, "--consent", str(everyone))
