"""Tiny JPEG files and the pixels Pillow (libjpeg-turbo) decodes from them, for JPEGCodec's tests.

    python3 Tests/ModelsTests/Fixtures/generate_jpeg.py
"""
import json
from pathlib import Path

from PIL import Image

here = Path(__file__).resolve().parent / "jpeg"
here.mkdir(exist_ok=True)
rgb = Image.new("RGB", (12, 8))
rgb.putdata([(x * 20, y * 30, (x + y) * 10) for y in range(8) for x in range(12)])
rgb.save(here / "rgb.jpg", quality=95)
grey = Image.new("L", (6, 10))
grey.putdata([(x * 40 + y * 5) % 256 for y in range(10) for x in range(6)])
grey.save(here / "grey.jpg", quality=95)
expected = {}
for name in ["rgb.jpg", "grey.jpg"]:
    image = Image.open(here / name)
    bands = len(image.getbands())
    pixels = list(image.getdata())
    expected[name] = {"width": image.width, "height": image.height, "channels": bands,
                      "levels": [v for p in pixels for v in (p if bands > 1 else (p,))]}
(here / "expected.json").write_text(json.dumps(expected) + "\n")
