"""The sandbox district's websites: a ``requests`` transport that serves local files.

``examples/sandbox-district/websites/<host>/index.html`` answers ``https://<host>/`` and
``<host>/robots.txt`` answers ``/robots.txt`` (404 when absent), so discovery runs on the
demo with no network. Only hosts with a folder exist; :meth:`SandboxSites.knows` is the
address check discovery uses instead of DNS (nothing here leaves the machine).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse


class SandboxSites(BaseAdapter):
    """Serves ``<folder>/<host>/<path>`` (``index.html`` for a folder) over https."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder.resolve()

    def knows(self, host: str) -> bool:
        """Whether the sandbox has a site for ``host`` (the stand-in for DNS)."""
        return bool(host) and (self.folder / host.lower()).is_dir()

    def session(self) -> requests.Session:
        session = requests.Session()
        session.mount("https://", self)
        session.mount("http://", self)
        return session

    def _file(self, host: str, path: str) -> Path | None:
        site = (self.folder / host.lower()).resolve()
        target = (site / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(site) or not target.is_file():
            return None
        return target

    def send(  # type: ignore[override]  # the transport options do not apply to files
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        parts = urlsplit(str(request.url))
        found = (
            self._file(parts.hostname or "", parts.path or "/")
            if self.knows(parts.hostname or "")
            else None
        )
        body = found.read_bytes() if found is not None else b"not found"
        kind = (
            "text/plain" if found is None or found.suffix == ".txt" else "text/html; charset=utf-8"
        )
        raw = HTTPResponse(
            body=io.BytesIO(body),
            status=200 if found is not None else 404,
            headers={"Content-Type": kind, "Content-Length": str(len(body))},
            preload_content=False,
        )
        response = requests.Response()
        response.status_code = raw.status
        response.headers = CaseInsensitiveDict(raw.headers)
        response.raw = raw
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to close."""
