"""The ``hallwatch`` command line: one module per command group, all on :data:`main`.

Importing a module registers its commands on the root group of :mod:`monitor.cli.base`.
"""

from monitor.cli import (  # noqa: F401  (imported for the commands they register)
    comments,
    db,
    demo,
    discovery,
    flags,
    ops,
    procedure,
    registry,
    retention,
    scan,
    secrets,
    service,
    students,
    web,
)
from monitor.cli.base import main

__all__ = ["main"]
