"""Entry module for production workers: ``dramatiq monitor.worker``.

It reads the settings (``HALLWATCH_CONFIG`` / ``HALLWATCH_*``), sets the broker they name
as Dramatiq's global broker, and declares the actors on it.
"""

from __future__ import annotations

import dramatiq

from monitor.app import App
from monitor.broker import make_broker
from monitor.logs import configure_logging
from monitor.settings import load_settings
from monitor.tasks import Tasks

configure_logging()
settings = load_settings()
broker = make_broker(settings)
dramatiq.set_broker(broker)
tasks = Tasks(App.from_settings(settings), broker)
