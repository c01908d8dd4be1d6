"""Discovery: accounts that look like the District's and are not in the registry.

1. **Link-back.** Each organisation unit's ``website`` (the district's included) is read,
   one page each and nothing it links to (:func:`connectors.web.read_page`: https only,
   size and time caps, the media fetcher's private-address guards, robots.txt). Every
   social media link on it whose identity no registered account answers to is a
   candidate of that unit.
2. **Platform search, within budget.** With ``discovery.youtube_search_account`` set, one
   YouTube ``search.list`` per school (100 units, counted against the day's quota and
   ``discovery.youtube_search_units``); with ``discovery.x_search_account``, X user search
   (Pro access level) up to ``discovery.x_searches``. A hit counts only when it names the
   District or the school's website, so a namesake school elsewhere is not a candidate.

Candidates are recorded by identity; nothing is ever polled until a person registers it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select

import connectors
from connectors import Platform
from connectors.links import AccountLink, SearchHit
from connectors.sandbox_sites import SandboxSites
from connectors.web import read_page
from monitor.core.app import App
from monitor.core.progress import SILENT, Progress, advancing
from monitor.registry import usage
from monitor.registry.candidates import known_identities, note_found
from monitor.registry.connect import connector_for
from monitor.registry.secrets import CredentialsError
from monitor.storage import audit
from monitor.storage.models import Account, OrgUnit

log = logging.getLogger(__name__)
SEARCH_UNITS = 100
SITES_FOLDER = "websites"  # beside the sandbox scenario: the sandbox district's web pages


@dataclass
class DiscoveryReport:
    """What one discovery run did, for the CLI, the audit log and tests."""

    sites: dict[str, str] = field(default_factory=dict)  # url -> what happened
    new: list[str] = field(default_factory=list)  # identities first seen now
    seen_again: int = 0
    registered: int = 0  # links that are registered accounts
    searches: list[str] = field(default_factory=list)  # what each search did


@dataclass(frozen=True)
class _Unit:
    id: int
    name: str
    kind: str
    website: str


def _web(app: App) -> tuple[Any, Callable[[str], bool] | None]:
    """The session and address check: the sandbox district's files in sandbox mode,
    else an injected transport (tests), else the network with DNS checks."""
    scenario = app.settings.sandbox.scenario
    if scenario:
        sites = SandboxSites(Path(scenario).parent / SITES_FOLDER)
        return sites.session(), sites.knows
    return app.transports.get("web"), app.transports.get("web_resolve")


def run_discovery(
    app: App, now: datetime, search: bool = True, progress: Progress = SILENT
) -> DiscoveryReport:
    """Read every unit's website and, within budget, search the platforms; ``progress``
    hears of each website read and each school searched."""
    report = DiscoveryReport()
    with app.sessions() as session:
        units = [
            _Unit(u.id, u.name, u.kind, u.website)
            for u in session.scalars(select(OrgUnit).order_by(OrgUnit.id))
        ]
        known = known_identities(session)
    district = next((u for u in units if u.kind == "district"), None)
    web, resolve = _web(app)
    sites = [unit for unit in units if unit.website]
    progress.stage("Reading websites", len(sites))
    for unit in sites:
        _site(app, unit, web, resolve, known, now, report)
        progress.advance()
    if search:
        schools = [u for u in units if u.kind == "school"]
        _youtube(app, schools, district, known, now, report, progress)
        _x(app, schools, district, known, now, report, progress)
    with app.sessions() as session, session.begin():
        audit.record(
            session,
            audit.SYSTEM,
            "discovery.run",
            "discovery",
            "",
            at=now,
            sites=report.sites,
            new=report.new,
            searches=report.searches,
        )
    return report


def _site(
    app: App,
    unit: _Unit,
    web: Any,
    resolve: Callable[[str], bool] | None,
    known: set[str],
    now: datetime,
    report: DiscoveryReport,
) -> None:
    options = app.settings.discovery
    kw: dict[str, Any] = {"resolve": resolve} if resolve is not None else {}
    try:
        links = read_page(
            unit.website,
            session=web,
            user_agent=options.user_agent,
            max_bytes=options.max_page_kb * 1024,
            deadline=options.fetch_timeout_seconds,
            **kw,
        )
    except connectors.ConnectorError as exc:
        report.sites[unit.website] = f"not read: {exc}"
        log.warning("discovery: %s not read (%s)", unit.website, exc)
        return
    _record(app, links, f"linked from {unit.website}", unit.id, known, now, report)
    report.sites[unit.website] = f"read: {len(links)} account link(s)"


def _record(
    app: App,
    links: list[AccountLink],
    source: str,
    unit_id: int | None,
    known: set[str],
    now: datetime,
    report: DiscoveryReport,
) -> None:
    with app.sessions() as session, session.begin():
        for link in links:
            if link.key in known:
                report.registered += 1
            elif note_found(session, link, source, unit_id, now):
                report.new.append(link.key)
            else:
                report.seen_again += 1


def _names_us(hit: SearchHit, school: _Unit, district: _Unit | None) -> bool:
    """A hit counts when it names the school and the District, or its websites."""
    words = f"{hit.title} {hit.description}".casefold()
    hosts = [urlparse(u.website).hostname or "" for u in (school, district) if u and u.website]
    if any(h and h.removeprefix("www.") in words for h in hosts):
        return True
    district_named = district is not None and district.name.casefold() in words
    return school.name.casefold() in words and district_named


def _search(
    app: App, key: str, method: str, name: str, now: datetime, report: DiscoveryReport
) -> Any:
    """The search account ``key``'s ``method`` (None, reported, when it cannot search)."""
    with app.sessions() as session:
        account = session.scalars(select(Account).where(Account.key == key)).first()
        try:
            searcher = connector_for(app, account, now) if account is not None else None
        except (CredentialsError, connectors.ConnectorError, connectors.UnknownPlatform):
            searcher = None
    if searcher is None or not hasattr(searcher, method):
        report.searches.append(f"{name}: the search account cannot search (check its id)")
        return None
    return getattr(searcher, method)


def _youtube(
    app: App,
    schools: list[_Unit],
    district: _Unit | None,
    known: set[str],
    now: datetime,
    report: DiscoveryReport,
    progress: Progress = SILENT,
) -> None:
    options = app.settings.discovery
    if not options.youtube_search_account or not options.youtube_search_units:
        return
    search = _search(app, options.youtube_search_account, "search_channels", "YouTube", now, report)
    if search is None:
        return
    progress.stage("Searching YouTube", len(schools))
    for school in advancing(progress, schools):
        with app.sessions() as session:
            _, spent = usage.spent_today(session, Platform.YOUTUBE, now, "search")
        left = usage.units_left(app, Platform.YOUTUBE, now)
        if spent + SEARCH_UNITS > options.youtube_search_units:
            report.searches.append(
                f"YouTube '{school.name}': not searched, over the discovery budget "
                f"({spent} of {options.youtube_search_units} units spent today)"
            )
            continue
        if left is not None and left < SEARCH_UNITS:
            report.searches.append(
                f"YouTube '{school.name}': not searched, the day's quota is kept for polls"
            )
            continue
        _one_search(app, search, Platform.YOUTUBE, school, district, known, now, report)


def _x(
    app: App,
    schools: list[_Unit],
    district: _Unit | None,
    known: set[str],
    now: datetime,
    report: DiscoveryReport,
    progress: Progress = SILENT,
) -> None:
    options = app.settings.discovery
    if not options.x_search_account or not options.x_searches:
        return
    search = _search(app, options.x_search_account, "search_users", "X", now, report)
    if search is None:
        return
    progress.stage("Searching X", len(schools))
    for number, school in enumerate(advancing(progress, schools)):
        if number >= options.x_searches:
            report.searches.append(f"X '{school.name}': not searched, over x_searches")
            continue
        if not _one_search(app, search, Platform.X, school, district, known, now, report):
            return  # the access level does not allow it: no point asking again


def _one_search(
    app: App,
    call: Callable[[str], list[SearchHit]],
    platform: str,
    school: _Unit,
    district: _Unit | None,
    known: set[str],
    now: datetime,
    report: DiscoveryReport,
) -> bool:
    label = connectors.CAPABILITIES[platform].display_name
    try:
        hits = call(school.name)
    except connectors.ConfigurationError as exc:
        report.searches.append(f"{label} '{school.name}': not allowed: {exc}")
        return False
    except connectors.ConnectorError as exc:
        report.searches.append(f"{label} '{school.name}': failed: {exc}")
        return True
    finally:
        with app.sessions() as session, session.begin():
            units = SEARCH_UNITS if platform == Platform.YOUTUBE else 0
            usage.record_search(session, platform, now, 1, units)
    ours = [h.link for h in hits if _names_us(h, school, district)]
    source = f"{label} search for '{school.name}'"
    _record(app, ours, source, school.id, known, now, report)
    report.searches.append(f"{source}: {len(hits)} result(s), {len(ours)} naming the District")
    return True
