"""Real public comments that name no student of the benchmark district.

Three sources, each written by others (provenance in ``benchmarks/datasets.toml``,
``use = "real-comments"``): US tweets (TweetEval's emoji task, a fixed sample), YouTube
comments (the ten most relevant of about 1,900 videos), and posts of r/ApplyingToCollege
(high-school students writing about classes, grades and applications). None is a reserved
set.

Each comment has a stable id (``source:n``); :func:`split` puts it in the development half
or the held-out half by the parity of a hash of that id, so the halves never change and do
not depend on the order the files are read in.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass

from datasets import load_path

TWEETS = 18_000  # sampled from the 50,000 of the TweetEval emoji test set
SEED = 417
MAX_CHARS = 5_000  # of one Reddit post: the detectors read 20,000, long posts are rare


@dataclass(frozen=True)
class Comment:
    id: str
    source: str
    text: str


def tweets(count: int = TWEETS, seed: int = SEED) -> list[Comment]:
    lines = load_path("tweeteval-emoji-test").read_text("utf-8").splitlines()
    picked = sorted(random.Random(seed).sample(range(len(lines)), min(count, len(lines))))
    return [Comment(f"tw:{i}", "tweets", lines[i]) for i in picked if lines[i].strip()]


def youtube() -> list[Comment]:
    path = load_path("youtube-statistics-comments")
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return [
        Comment(f"yt:{row['']}", "youtube", row["Comment"])
        for row in rows
        if (row.get("Comment") or "").strip()
    ]


def forum() -> list[Comment]:
    folder = load_path("reddit-applyingtocollege")
    out = []
    for path in sorted(folder.glob("*.json")):
        post = json.loads(path.read_text("utf-8"))
        title = (post.get("title:") or post.get("title") or "").strip()
        body = (post.get("text") or "").strip()
        if body in ("[deleted]", "[removed]"):
            body = ""
        text = f"{title}\n\n{body}" if body else title
        if text:
            out.append(Comment(f"a2c:{post.get('sid') or path.stem}", "forum", text[:MAX_CHARS]))
    return out


def load_all() -> list[Comment]:
    """Every real comment of the three sources."""
    return tweets() + youtube() + forum()


def is_dev(comment_id: str) -> bool:
    """The development half: ids whose sha256 starts with an even byte."""
    return hashlib.sha256(comment_id.encode()).digest()[0] % 2 == 0


def split(comments: list[Comment]) -> tuple[list[Comment], list[Comment]]:
    """``(development, held_out)``."""
    dev = [c for c in comments if is_dev(c.id)]
    held = [c for c in comments if not is_dev(c.id)]
    return dev, held
