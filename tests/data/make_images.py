"""Rebuild the photos in tests/data from scikit-image's bundled sample data (not run by tests).

The tests never download anything: the photos below are committed. This script only records
how they were made. scikit-image is not a project dependency, so run it from a scratch venv:

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-image
    /tmp/skvenv/bin/python tests/data/make_images.py

See README.md beside this file for the origin and licence of each photo.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps
from skimage import data

HERE = Path(__file__).resolve().parent
QUALITY = 80
# A public place (Parliament Hill, Ottawa), so the test file locates nobody's home.
GPS = {1: "N", 2: (45.0, 25.0, 25.0), 3: "W", 4: (75.0, 42.0, 0.0)}


def save(image: Image.Image, name: str, **extra: object) -> None:
    image.save(HERE / name, "JPEG", quality=QUALITY, optimize=True, **extra)
    print(f"{name}: {image.size[0]}x{image.size[1]}, {(HERE / name).stat().st_size} bytes")


def main() -> None:
    face = Image.fromarray(data.astronaut())  # 512 x 512, one face
    save(face, "face.jpg")
    mirrored = ImageOps.mirror(face)
    row = np.hstack([np.asarray(face), np.asarray(mirrored), np.asarray(face)])
    group = Image.fromarray(row).resize((1200, 400), Image.Resampling.LANCZOS)
    save(group, "group.jpg")  # three faces side by side
    save(Image.fromarray(data.coffee()), "noface.jpg")  # 600 x 400, a coffee cup
    rocket = Image.fromarray(data.rocket())  # 640 x 427, a launch, no people
    exif = Image.Exif()
    exif.get_ifd(0x8825).update(GPS)
    save(rocket, "gps.jpg", exif=exif.tobytes())


if __name__ == "__main__":
    main()
