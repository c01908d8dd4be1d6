"""Dramatiq's own Prometheus middleware on the workers: messages, retries, failures, latency.

How Dramatiq's middleware works (dramatiq 2.x, read from its source): when a worker process
boots, it points prometheus_client's multiprocess mode at a folder, and every worker process
of the ``dramatiq`` command writes its counts there; the command then forks one more
process that serves the sum of those files over HTTP. So there is one port per ``dramatiq``
command, whatever its ``--processes``, and one folder per command, shared by its processes.

Dramatiq takes the folder and port from ``dramatiq_prom_*`` variables (0.0.0.0:9191 by
default). Here they come from ``[metrics] worker_host``, ``worker_port`` and ``worker_dir``;
a port in use is one clear log line instead of a traceback; and a booting process removes
the files of processes that are gone (prometheus_client's documentation asks for a clean
folder at each start; otherwise a killed process's "in progress" gauge would count forever).
Two ``dramatiq`` commands on one machine need two ports (the systemd unit gives instance N
port 919N).

prometheus_client chooses between in-memory and file storage when it is first imported, so
nothing a worker imports before it boots may import it: this module imports it only inside
:class:`_Handler`, as Dramatiq's middleware does.
"""

from __future__ import annotations

import logging
import os
import tempfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.middleware import prometheus

from monitor.core.logs import configure_logging
from monitor.core.settings import Settings, load_settings

log = logging.getLogger(__name__)


def metrics_folder(settings: Settings) -> Path:
    """Where one ``dramatiq`` command's processes share their metrics."""
    configured = settings.metrics.worker_dir
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"hallwatch-queue-metrics-{settings.metrics.worker_port}"


def remove_dead_files(folder: Path) -> int:
    """Remove the metric files (``<kind>_<pid>.db``) of processes that no longer run."""
    removed = 0
    for path in folder.glob("*.db"):
        pid = path.stem.rpartition("_")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
            removed += 1
        except PermissionError:
            pass  # it runs, as another user
    return removed


class QueueMetrics(prometheus.Prometheus):
    """Dramatiq's Prometheus middleware, with its folder and server from ``[metrics]``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.folder = metrics_folder(settings)

    @property
    def forks(self) -> list[Any]:
        return [serve_queue_metrics]

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_dead_files(self.folder)
        # Dramatiq's middleware reads its folder from this module global at each use.
        prometheus.DB_PATH = str(self.folder)
        super().after_process_boot(broker)


class _Handler(BaseHTTPRequestHandler):
    """``GET /metrics``: the sum of the worker processes' files."""

    folder = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.split("?", 1)[0] not in ("/", "/metrics"):
            self.send_error(404)
            return
        # Deferred until PROMETHEUS_MULTIPROC_DIR is set: prometheus_client reads it on import
        # (see the module docstring).
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.folder)
        body = generate_latest(registry)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # one line per scrape is noise


def serve_queue_metrics() -> int:
    """The ``dramatiq`` command's extra process: serve the workers' metrics until stopped."""
    settings = load_settings()
    configure_logging(settings=settings, component="worker")
    host, port = settings.metrics.worker_host, settings.metrics.worker_port
    folder = metrics_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    _Handler.folder = str(folder)
    try:
        server = HTTPServer((host, port), _Handler)
    except OSError as exc:
        log.error(
            "Dramatiq's queue metrics are not served: %s:%d cannot be used (%s). Give each "
            "`dramatiq monitor.jobs.worker` command on this machine its own [metrics] "
            "worker_port (HALLWATCH_METRICS_WORKER_PORT), or 0 to turn them off.",
            host,
            port,
            exc.strerror or exc,
        )
        return 0
    log.info("Dramatiq's queue metrics: http://%s:%d/metrics", host, port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
