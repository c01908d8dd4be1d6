"""pii.student, photos: faces with no consent recorded, and hidden GPS location data.

Given a photo (a file in tests/data or one built here from it) and the post consents, when
the image detector runs, then the findings are the table's. Nothing is downloaded.
"""

from __future__ import annotations

import io
import re
import struct
import threading
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

import numpy as np
import pytest
from PIL import Image

import detectors
from detectors.base import Context, ImageItem, TextItem
from detectors.images import MAX_BYTES, ImageDetector, ImageFacts, analyse_image
from tests.support.paths import DATA

DATA = DATA
NOW = datetime(2024, 5, 14, 15, 30, tzinfo=UTC)
RULE = "pii.student"
GPS = {1: "N", 2: (45.0, 25.0, 25.0), 3: "W", 4: (75.0, 42.0, 0.0)}
DETECTOR = ImageDetector()


@cache
def photo(name: str) -> bytes:
    return (DATA / name).read_bytes()


def encode(image: Image.Image, fmt: str = "JPEG", **extra: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **extra)
    return out.getvalue()


def reencode(name: str, fmt: str = "JPEG", mode: str = "RGB", **extra: object) -> bytes:
    with Image.open(io.BytesIO(photo(name))) as image:
        return encode(image.convert(mode), fmt, **extra)


def exif(gps: dict[int, object] | None = None, orientation: int | None = None) -> bytes:
    tags = Image.Exif()
    if orientation is not None:
        tags[0x0112] = orientation
    if gps is not None:
        tags.get_ifd(0x8825).update(gps)
    return tags.tobytes()


def rotated_face(orientation: int | None) -> bytes:
    """The face photo stored sideways, with or without the tag that says how to turn it."""
    with Image.open(io.BytesIO(photo("face.jpg"))) as image:
        sideways = image.transpose(Image.Transpose.ROTATE_90)
    extra = {"exif": exif(orientation=orientation)} if orientation else {}
    return encode(sideways, "JPEG", quality=90, **extra)


def synthetic(kind: str) -> bytes:
    rng = np.random.default_rng(7)
    if kind == "gradient":
        ramp = np.linspace(0, 255, 800, dtype=np.float32)
        pixels = np.add.outer(ramp[:600] * 0.5, ramp * 0.5).astype(np.uint8)
    elif kind == "noise":
        pixels = rng.integers(0, 256, (600, 800), dtype=np.uint8)
    elif kind == "checkerboard":
        pixels = (np.indices((600, 800)).sum(axis=0) // 40 % 2 * 255).astype(np.uint8)
    else:
        pixels = np.full((600, 800), 255, dtype=np.uint8)
    return encode(Image.fromarray(pixels), "JPEG", quality=85)


def png(width: int, height: int, *chunks: tuple[bytes, bytes]) -> bytes:
    """A PNG that declares ``width`` x ``height`` but carries a tiny (bomb) IDAT."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes(1 << 20), 9)  # 1 MB of zeros in about 1 KB
    body = b"".join(chunk(kind, part) for kind, part in chunks)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + body + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def context(consent: object = None) -> Context:
    extra = {} if consent is None else {"post_consent": consent}
    return Context(now=NOW, extra=extra)


def image_item(data: bytes, post: str = "post:1") -> ImageItem:
    return ImageItem(id="media:1:a", post_id=post, data=data, alt_text="Field trip")


# (case, photo builder, how many faces the detector must count)
FACES: list[tuple[str, Callable[[], bytes], Callable[[int], bool]]] = [
    ("face.jpg", lambda: photo("face.jpg"), lambda n: n == 1),
    ("group.jpg", lambda: photo("group.jpg"), lambda n: 2 <= n <= 3),
    ("face-png", lambda: reencode("face.jpg", "PNG"), lambda n: n == 1),
    ("face-rgba-png", lambda: reencode("face.jpg", "PNG", "RGBA"), lambda n: n == 1),
    ("face-webp", lambda: reencode("face.jpg", "WEBP"), lambda n: n == 1),
    ("face-gif", lambda: reencode("face.jpg", "GIF", "P"), lambda n: n == 1),
    ("face-sideways-with-orientation-tag", lambda: rotated_face(6), lambda n: n == 1),
    ("noface.jpg", lambda: photo("noface.jpg"), lambda n: n == 0),
    ("gps.jpg-rocket", lambda: photo("gps.jpg"), lambda n: n == 0),
    ("gradient", lambda: synthetic("gradient"), lambda n: n == 0),
    ("noise", lambda: synthetic("noise"), lambda n: n == 0),
    ("checkerboard", lambda: synthetic("checkerboard"), lambda n: n == 0),
    ("blank", lambda: synthetic("blank"), lambda n: n == 0),
    ("one-pixel", lambda: encode(Image.new("RGB", (1, 1)), "PNG"), lambda n: n == 0),
    ("thin-strip", lambda: encode(Image.new("L", (4000, 3), 128), "PNG"), lambda n: n == 0),
]


@pytest.mark.parametrize(
    ("case", "build", "expected"), FACES, ids=[f"{RULE}-{c[0]}" for c in FACES]
)
def test_pii_student_counts_faces(case, build, expected):
    facts = analyse_image(build())

    assert facts.skipped == ""
    assert expected(facts.faces), f"{case}: {facts.faces} faces"


# (case, post_consent in context.extra, severities expected for face.jpg)
CONSENT = [
    ("no-consent-mapping", None, ["critical"]),
    ("empty-mapping", {}, ["critical"]),
    ("post-consented", {"post:1": True}, []),
    ("post-refused", {"post:1": False}, ["critical"]),
    ("other-post-consented", {"post:2": True}, ["critical"]),
    ("truthy-string-is-not-consent", {"post:1": "yes"}, ["critical"]),
    ("not-a-mapping", ["post:1"], ["critical"]),
]


@pytest.mark.parametrize(
    ("case", "consent", "expected"), CONSENT, ids=[f"{RULE}-{c[0]}" for c in CONSENT]
)
def test_pii_student_face_needs_post_consent(case, consent, expected):
    found = list(DETECTOR.detect([image_item(photo("face.jpg"))], context(consent)))

    assert [f.severity for f in found] == expected


def test_pii_student_group_photo_finding_counts_faces_and_names_post():
    found = list(DETECTOR.detect([image_item(photo("group.jpg"), post="post:9")], context()))

    assert len(found) == 1
    face = found[0]
    assert face.details == {"label": "photo", "faces": face.details["faces"], "post": "post:9"}
    assert face.details["faces"] >= 2
    assert f"shows {face.details['faces']} faces" in face.explanation
    assert "consent" in face.explanation


# (case, photo builder, whether a location-data finding is expected)
LOCATION: list[tuple[str, Callable[[], bytes], bool]] = [
    ("gps.jpg", lambda: photo("gps.jpg"), True),
    ("face-with-gps", lambda: reencode("face.jpg", quality=90, exif=exif(GPS)), True),
    ("png-with-exif-gps", lambda: reencode("noface.jpg", "PNG", exif=exif(GPS)), True),
    ("webp-with-exif-gps", lambda: reencode("noface.jpg", "WEBP", exif=exif(GPS)), True),
    (
        "xmp-gps",
        lambda: reencode(
            "noface.jpg",
            xmp=b'<x:xmpmeta><rdf:Description exif:GPSLatitude="45,25.4N" '
            b'exif:GPSLongitude="75,42W"/></x:xmpmeta>',
        ),
        True,
    ),
    ("no-exif", lambda: photo("noface.jpg"), False),
    ("exif-without-gps", lambda: reencode("noface.jpg", exif=exif(orientation=1)), False),
    (
        "gps-placeholder-zero",
        lambda: reencode("noface.jpg", exif=exif({2: (0.0, 0.0, 0.0), 4: (0.0, 0.0, 0.0)})),
        False,
    ),
    ("gps-latitude-only", lambda: reencode("noface.jpg", exif=exif({1: "N", 2: GPS[2]})), False),
    ("gps-altitude-only", lambda: reencode("noface.jpg", exif=exif({6: 120.0})), False),
    (
        "xmp-without-gps",
        lambda: reencode("noface.jpg", xmp=b"<x:xmpmeta>Creator</x:xmpmeta>"),
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "build", "expected"), LOCATION, ids=[f"{RULE}-{c[0]}" for c in LOCATION]
)
def test_pii_student_location_data(case, build, expected):
    found = [
        f
        for f in DETECTOR.detect([image_item(build())], context({"post:1": True}))
        if f.details["label"] == "location data"
    ]

    assert len(found) == int(expected)
    for finding in found:
        assert finding.severity == "high"
        assert finding.details == {"label": "location data", "gps": "present", "post": "post:1"}
        assert not re.search(r"\d", finding.explanation)  # never the coordinates


def test_pii_student_face_and_gps_on_one_photo_give_two_findings():
    data = reencode("face.jpg", quality=90, exif=exif(GPS))

    found = list(DETECTOR.detect([image_item(data)], context()))

    assert sorted(f.details["label"] for f in found) == ["location data", "photo"]
    assert {f.key for f in found} == {f.subject for f in found} == {"media:1:a"}


def test_pii_student_findings_carry_detector_and_evidence_fields():
    found = list(DETECTOR.detect([image_item(photo("group.jpg"))], context()))
    found += list(DETECTOR.detect([image_item(photo("gps.jpg"))], context()))

    assert len(found) == 2
    for finding in found:
        assert (finding.rule, finding.detector, finding.version) == (RULE, "images", "1")
        assert (finding.key, finding.subject) == ("media:1:a", "media:1:a")
        assert finding.start is None and finding.end is None and finding.span is None
        assert 0.0 <= finding.score <= 1.0
        assert finding.excerpt == ""
        assert finding.clause.startswith("Procedure 417")
        assert finding.explanation.endswith(".") and "Field trip" not in finding.explanation


def bomb_cases() -> list[tuple[str, bytes]]:
    gps_exif = exif(GPS)
    return [
        ("bomb-over-pillow-limit", png(100_000, 100_000)),
        ("bomb-in-pillow-warning-band", png(10_000, 10_000)),
        ("bomb-under-pillow-limit-over-ours", png(8_000, 6_000)),
        ("bomb-with-gps", png(8_000, 6_000, (b"eXIf", gps_exif[6:]))),
        ("garbage", b"this is not an image at all" * 20),
        ("truncated-jpeg", photo("face.jpg")[:4000]),
        ("jpeg-header-only", photo("face.jpg")[:2]),
        ("empty", b""),
        ("tiff-not-accepted", encode(Image.new("RGB", (64, 64)), "TIFF")),
        ("over-max-bytes", b"\xff\xd8\xff" + bytes(MAX_BYTES)),
    ]


BOMBS = bomb_cases()


@pytest.mark.parametrize(("case", "data"), BOMBS, ids=[f"{RULE}-{c[0]}" for c in BOMBS])
def test_pii_student_hostile_files_are_skipped_not_raised(case, data):
    facts = analyse_image(data)
    found = list(DETECTOR.detect([image_item(data)], context()))

    assert facts.faces == 0 and facts.skipped
    assert [f.details["label"] for f in found] == (["location data"] if facts.has_gps else [])
    assert facts.has_gps == (case == "bomb-with-gps")


def test_pii_student_bomb_skipped_even_when_pillow_guard_is_off(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)

    facts = analyse_image(png(100_000, 100_000))

    assert facts == ImageFacts(0, False, 100_000, 100_000, "over 40,000,000 pixels")


def test_pii_student_bomb_reports_declared_size_without_decoding():
    facts = analyse_image(png(8_000, 6_000))

    assert (facts.width, facts.height, facts.skipped) == (8_000, 6_000, "over 40,000,000 pixels")


def test_pii_student_image_detector_ignores_text_items():
    items = [
        TextItem(id="post:1", text="Photo of the class trip, location attached"),
        TextItem(id="c1", text="GPS 45.42, -75.70", kind="comment", parent_id="post:1"),
    ]

    assert list(DETECTOR.detect(items, context())) == []


def test_pii_student_mixed_batch_reads_only_photos():
    items = [
        TextItem(id="post:1", text="Our class"),
        ImageItem(id="m1", post_id="post:1", data=photo("face.jpg")),
        ImageItem(id="m2", post_id="post:2", data=photo("noface.jpg")),
        ImageItem(id="m3", post_id="post:3", data=photo("group.jpg")),
    ]

    found = list(DETECTOR.detect(items, context({"post:3": True})))

    assert [(f.subject, f.details["label"]) for f in found] == [("m1", "photo")]


def test_pii_student_disabled_rule_runs_nothing_through_entry_point():
    items = [image_item(photo("face.jpg"))]
    off = Context(now=NOW, enabled=frozenset({"language.prohibited"}))

    assert detectors.run(items, off, (DETECTOR,)) == []
    assert [f.rule for f in detectors.run(items, context(), (DETECTOR,))] == [RULE]


def test_pii_student_analysis_is_deterministic_across_threads():
    expected = [analyse_image(photo(n)) for n in ("face.jpg", "group.jpg", "noface.jpg")]
    results: list[list[ImageFacts]] = []

    def work() -> None:
        results.append([analyse_image(photo(n)) for n in ("face.jpg", "group.jpg", "noface.jpg")])

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [expected] * 3


def test_pii_student_test_photos_stay_small():
    total = sum(path.stat().st_size for path in DATA.iterdir())

    assert total < 300_000
