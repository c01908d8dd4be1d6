"""Hostile input for the fuzz tests: odd text, wrong-typed JSON, and payload mutations.

``mutate(payload, data)`` takes a real API response (already parsed JSON) and breaks a few
of its nodes the way a platform, a proxy or an attacker might: a field removed, a value of
the wrong type, ``null``, a huge string, or odd unicode. A handful of mutations per
response lets the parser get past the first one, so the deep fields are reached too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

from tests.support.paths import DATA

HUGE = "x" * 200_000
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
ODD = [
    "",
    " ",
    "\x00",
    "\ud800",  # a lone surrogate: valid in JSON text, not encodable as UTF-8
    "\u202egnp.exe",
    ZERO_WIDTH,
    BIDI,
    "Ｆｕｌｌｗｉｄｔｈ",
    "е" * 3 + "x",  # Cyrillic lookalikes
    "\r\nBcc: victim@evil.example",
    "2026-13-45T99:99:99+0000",
    "1e309",
    "-1",
    "NaN",
    HUGE,
]

odd_text = st.one_of(
    st.sampled_from(ODD),
    st.text(
        alphabet=st.characters(
            codec=None, categories=("L", "M", "N", "P", "S", "Z", "Cc", "Cf", "Cs", "Co")
        ),
        max_size=40,
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    odd_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

DELETE = object()
replacement = st.one_of(st.just(DELETE), json_values)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _set(root: Any, path: tuple[Any, ...], new: Any) -> Any:
    """``root`` with the node at ``path`` replaced (or removed, for :data:`DELETE`)."""
    if not path:
        return None if new is DELETE else new
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if new is DELETE:
        del parent[last]
    else:
        parent[last] = new
    return root


def mutate(payload: Any, data: st.DataObject, most: int = 4) -> Any:
    """``payload`` with up to ``most`` nodes removed or replaced (drawn from ``data``)."""
    result = copy.deepcopy(payload)
    for _ in range(data.draw(st.integers(0, most), label="mutations")):
        paths = list(_paths(result))
        path = data.draw(st.sampled_from(paths), label="path")
        try:
            result = _set(result, path, data.draw(replacement, label="value"))
        except (KeyError, IndexError, TypeError):
            continue
    return result


def hostile_comments() -> list[str]:
    """The corpus in ``tests/data/hostile_comments.jsonl``, one JSON string a line."""
    path = DATA / "hostile_comments.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
