"""Photos for ``pii.student``: faces shown without consent, and hidden GPS location data.

Faces are only *counted*, with OpenCV's bundled Haar cascade (frontal faces, upright within
about 15 degrees): there is no face recognition, no embedding, nothing that could tell who
is shown. Decoding is bounded: at most :data:`MAX_BYTES` of input, at most
:data:`MAX_PIXELS` declared pixels (checked from the header, before any pixel is decoded),
only the formats in :data:`FORMATS`, and the pixels are reduced to :data:`WORKING_SIDE` on
the long side before the cascade runs.

A photo that cannot be analysed (decompression bomb, too large, not an image, corrupt)
raises no finding: junk is not evidence of a student, and flagging it would let anyone
trigger critical alerts. :func:`analyse_image` says why in :attr:`ImageFacts.skipped`, so a
caller that wants to log it calls :func:`analyse_image` and :meth:`ImageDetector.findings_for`
itself. GPS found in the header of an over-size photo is still reported.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import cv2.data
import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from detectors.base import Context, Detector, Finding, ImageItem, Item, Severity

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # our own cap, whatever Image.MAX_IMAGE_PIXELS is set to
WORKING_SIDE = 1024
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")  # JPEG includes multi-picture (MPO) files
CASCADE = "haarcascade_frontalface_alt2.xml"  # fewer hits on textures than _default
SCALE_FACTOR = 1.1
MIN_NEIGHBORS = 5
MIN_FACE_PX = 20
MIN_FACE_FRACTION = 0.03  # of the working image's short side
FACE_SCORE = 0.8  # a cascade hit is strong but not certain evidence

_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_LOCAL = threading.local()  # CascadeClassifier is not safe to share between threads


@dataclass(frozen=True)
class ImageFacts:
    """What :func:`analyse_image` learned from one photo.

    Attributes:
        faces: Number of faces found (0 when skipped).
        has_gps: Whether the photo carries GPS latitude and longitude (EXIF or XMP).
        width: Declared width in pixels (0 when the header could not be read).
        height: Declared height in pixels.
        skipped: Why faces were not counted ("" when they were), e.g. "decompression bomb".
    """

    faces: int = 0
    has_gps: bool = False
    width: int = 0
    height: int = 0
    skipped: str = ""


def analyse_image(data: bytes) -> ImageFacts:
    """Count the faces in ``data`` and tell whether it carries GPS location data.

    Never raises on hostile or broken input: such a photo comes back with ``skipped`` set.

    Args:
        data: The encoded image bytes.

    Returns:
        The photo's :class:`ImageFacts`.
    """
    if not data:
        return ImageFacts(skipped="empty file")
    if len(data) > MAX_BYTES:
        return ImageFacts(skipped=f"file larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            return _analyse_open(image)
    except UnidentifiedImageError:
        return ImageFacts(skipped="not a supported image format")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return ImageFacts(skipped="decompression bomb")
    except Exception:  # noqa: BLE001 - hostile bytes can break any decoder step
        return ImageFacts(skipped="unreadable image")


def _analyse_open(image: Image.Image) -> ImageFacts:
    width, height = image.size
    if width * height > MAX_PIXELS:  # decided from the header: no pixel is decoded
        return ImageFacts(0, _has_gps(image.info), width, height, f"over {MAX_PIXELS:,} pixels")
    try:
        gray = _working_gray(image)
    except Exception:  # noqa: BLE001 - truncated or corrupt pixel data
        return ImageFacts(0, _has_gps(image.info), width, height, "unreadable image data")
    # Read the metadata after decoding: a PNG may keep its EXIF after the pixels.
    gray = _upright(gray, _exif(image.info).get(ExifTags.Base.Orientation))
    return ImageFacts(count_faces(np.asarray(gray)), _has_gps(image.info), width, height)


def _exif(info: Mapping[Any, Any]) -> Image.Exif:
    """The EXIF in ``info``, parsed without decoding pixels (``getexif()`` may decode a PNG)."""
    exif = Image.Exif()
    raw = info.get("exif")
    if isinstance(raw, bytes):
        try:
            exif.load(raw)
        except Exception:  # noqa: BLE001 - corrupt EXIF must not hide the faces
            return Image.Exif()
    return exif


def _has_gps(info: Mapping[Any, Any]) -> bool:
    try:
        gps = _exif(info).get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001 - a broken GPS directory tells nothing
        gps = {}
    latitude, longitude = gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLongitude)
    if latitude is not None and longitude is not None:
        return not (_is_zero(latitude) and _is_zero(longitude))
    xmp = info.get("xmp") or info.get("XML:com.adobe.xmp") or b""
    raw = xmp.encode("utf-8", "replace") if isinstance(xmp, str) else bytes(xmp)
    return b"GPSLatitude" in raw and b"GPSLongitude" in raw


def _is_zero(value: Any) -> bool:
    """Phones without a fix write 0/0/0: a placeholder, not a place."""
    try:
        return all(float(part) == 0.0 for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def _working_gray(image: Image.Image) -> Image.Image:
    image.draft("L", (WORKING_SIDE, WORKING_SIDE))  # JPEG: decode at 1/2..1/8 scale
    gray = image.convert("L")
    gray.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.BILINEAR)
    return gray


def _upright(gray: Image.Image, orientation: Any) -> Image.Image:
    """Apply the EXIF orientation: the cascade only finds upright faces."""
    transpose = _ORIENTATION.get(orientation) if isinstance(orientation, int) else None
    return gray.transpose(transpose) if transpose is not None else gray


def _cascade() -> cv2.CascadeClassifier:
    cascade = getattr(_LOCAL, "cascade", None)
    if cascade is None:
        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)
        if cascade.empty():
            raise RuntimeError(f"OpenCV's bundled {CASCADE} is missing (opencv 5.x?)")
        _LOCAL.cascade = cascade
    return cascade


def count_faces(gray: np.ndarray) -> int:
    """Number of upright frontal faces in a grayscale image (counted, never identified).

    Args:
        gray: A 2-D uint8 array, already reduced to the working size.

    Returns:
        How many faces the cascade found.
    """
    side = max(MIN_FACE_PX, round(min(gray.shape) * MIN_FACE_FRACTION))
    if min(gray.shape) < side:
        return 0
    boxes = _cascade().detectMultiScale(
        gray, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBORS, minSize=(side, side)
    )
    return len(boxes)


class ImageDetector(Detector):
    """Raises ``pii.student`` for photos with faces and no consent, and for GPS data.

    Reads only :class:`~detectors.base.ImageItem`. Consent comes from
    ``context.extra["post_consent"]``: post id -> ``True`` when every student shown or named
    in the post has a media release on file. Anything else (missing, ``False``) is no consent.
    """

    name = "images"
    version = "1"
    rules = ("pii.student",)

    def detect(self, items: Sequence[Item], context: Context) -> Iterable[Finding]:
        found: list[Finding] = []
        for item in items:
            if isinstance(item, ImageItem):
                found.extend(self.findings_for(item, analyse_image(item.data), context))
        return found

    def findings_for(self, item: ImageItem, facts: ImageFacts, context: Context) -> list[Finding]:
        """The findings for one photo whose facts are known (lets a caller keep the facts).

        Args:
            item: The photo.
            facts: What :func:`analyse_image` returned for ``item.data``.
            context: The run's context (for the post consents).

        Returns:
            Zero, one or two ``pii.student`` findings.
        """
        found = []
        if facts.faces and not _consented(context, item.post_id):
            found.append(self._faces(item, facts.faces))
        if facts.has_gps:
            found.append(self._gps(item))
        return found

    def _faces(self, item: ImageItem, faces: int) -> Finding:
        shown = "1 face" if faces == 1 else f"{faces} faces"
        explanation = (
            f"A photo on this post shows {shown} and no media-release consent is recorded for "
            "it; confirm consent for every student shown or remove the photo."
        )
        details = {"label": "photo", "faces": faces, "post": item.post_id}
        return self.finding(
            "pii.student",
            Severity.CRITICAL,
            explanation,
            item.id,
            subject=item.id,
            score=FACE_SCORE,
            details=details,
        )

    def _gps(self, item: ImageItem) -> Finding:
        explanation = (
            "A photo on this post carries hidden location data (GPS) that can show where it "
            "was taken, such as a student's home; remove the location data from the photo."
        )
        details = {"label": "location data", "gps": "present", "post": item.post_id}
        return self.finding(
            "pii.student", Severity.HIGH, explanation, item.id, subject=item.id, details=details
        )


def _consented(context: Context, post_id: str) -> bool:
    consent = context.extra.get("post_consent") or {}
    return isinstance(consent, Mapping) and consent.get(post_id) is True
