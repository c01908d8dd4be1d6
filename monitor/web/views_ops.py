"""What IT's tools ask the console, without signing in: ``/healthz``, ``/readyz``, ``/metrics``.

- ``/healthz``: 200 while the console process serves requests; it touches nothing else
  (a load balancer or container restarts the console when it fails).
- ``/readyz``: 200 when the database answers, its migrations are current and the broker
  answers; else 503. The body names each check and its state in a word, nothing more.
- ``/metrics``: Hallwatch's metrics in Prometheus format (:mod:`monitor.jobs.metrics`), for
  a request with ``Authorization: Bearer <[metrics] token>``; 401 without it, 404 when no
  token is configured (the endpoint is off).

None of them says which versions run, which hosts the services are on, or why a check
failed: those go to the console's log (and ``hallwatch status``).
"""

from __future__ import annotations

import hmac
import threading
import time

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from monitor.core.app import App
from monitor.jobs.health import Readiness, readiness
from monitor.jobs.metrics import CONTENT_TYPE, Exporter

READY_CACHE_SECONDS = 1.0  # probes from several load balancers share one check


class Probes:
    """The console's readiness answer (one check at a time, reused for a second) and its
    metrics exporter."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.exporter = Exporter(app)
        self._lock = threading.Lock()
        self._ready: tuple[float, Readiness] | None = None

    def ready(self) -> Readiness:
        with self._lock:
            if self._ready is None or time.monotonic() - self._ready[0] > READY_CACHE_SECONDS:
                self._ready = (time.monotonic(), readiness(self.app.settings))
            return self._ready[1]


def _probes(request: Request) -> Probes:
    state = request.app.state
    if getattr(state, "probes", None) is None:
        state.probes = Probes(state.console.app)
    probes: Probes = state.probes
    return probes


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "alive"})


async def readyz(request: Request) -> Response:
    result = await run_in_threadpool(_probes(request).ready)
    return JSONResponse(result.as_dict(), status_code=200 if result.ok else 503)


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


async def metrics(request: Request) -> Response:
    probes = _probes(request)
    token = probes.app.settings.metrics.token
    if not token:
        raise HTTPException(404)
    if not _authorized(request, token):
        return Response(
            "A bearer token is needed.\n",
            status_code=401,
            media_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="hallwatch metrics"'},
        )
    body = await run_in_threadpool(probes.exporter.render)
    return Response(body, media_type=CONTENT_TYPE)


def routes() -> list[Route]:
    return [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
    ]
