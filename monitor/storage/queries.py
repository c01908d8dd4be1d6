"""Query predicates more than one part of Hallwatch asks the same way."""

from __future__ import annotations

UNREVIEWED = ("published", "held")  # comment statuses that still need a person's review
