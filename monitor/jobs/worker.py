"""Entry module for production workers: ``dramatiq monitor.jobs.worker``.

It reads the settings (``HALLWATCH_CONFIG`` / ``HALLWATCH_*``), sets the broker they name
as Dramatiq's global broker, adds Hallwatch's middleware (each message's log context, the
heartbeat that ``hallwatch health --component worker`` reads, and Dramatiq's Prometheus
queue metrics on ``[metrics] worker_port``) and declares the actors on it.

For benchmarks and tests only, ``HALLWATCH_CONNECTOR_TRANSPORT=module:function`` names a
function returning ``{connector name: transport}`` that this worker's connectors are built
with (``benchmarks/scale.py`` serves fake platform APIs this way). It is never set in
production; unset, connectors use their real HTTP transports.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

import dramatiq

from monitor.core.logs import configure_logging
from monitor.core.settings import load_settings
from monitor.jobs.broker import make_broker
from monitor.jobs.middleware import install
from monitor.jobs.tasks import Tasks
from monitor.storage.db import open_app


def injected_transports(target: str) -> dict[str, Any]:
    """The transports the ``module:function`` named by ``target`` returns."""
    module, _, name = target.partition(":")
    return dict(getattr(import_module(module), name)())


settings = load_settings()
configure_logging(settings=settings, component="worker")
broker = make_broker(settings)
# Log context, heartbeat (`hallwatch health --component worker`), queue metrics ([metrics]).
install(broker, settings, queue_metrics=True)
dramatiq.set_broker(broker)
app = open_app(settings)
if target := os.environ.get("HALLWATCH_CONNECTOR_TRANSPORT"):
    app.transports.update(injected_transports(target))
tasks = Tasks(app, broker)
