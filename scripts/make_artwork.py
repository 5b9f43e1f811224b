"""Regenerate the show's artwork, assets/artwork.png: 3000×3000 RGB PNG, as Apple asks.

.venv/bin/python scripts/make_artwork.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUTPUT = Path(__file__).resolve().parent.parent / "assets" / "artwork.png"
SIZE = 3000  # Apple Podcasts: 1400 to 3000 pixels square
PAPER, INK, ACCENT = (255, 247, 232), (29, 29, 31), (194, 65, 12)


def main() -> None:
    image = Image.new("RGB", (SIZE, SIZE), PAPER)
    draw = ImageDraw.Draw(image)
    # Pillow's built-in font has no accents, hence an accent-free tagline.
    # A microphone: the show is a freelancer with a phone and a mic.
    draw.rounded_rectangle((1260, 520, 1740, 1380), radius=240, fill=ACCENT)
    draw.arc((1120, 980, 1880, 1620), start=0, end=180, fill=INK, width=70)
    draw.rectangle((1465, 1610, 1535, 1860), fill=INK)
    draw.rounded_rectangle((1240, 1840, 1760, 1910), radius=35, fill=INK)
    title = ImageFont.load_default(size=330)
    subtitle = ImageFont.load_default(size=130)
    draw.text((SIZE / 2, 2250), "Freelance.Family", font=title, fill=INK, anchor="mm")
    draw.text((SIZE / 2, 2580), "les vraies histoires du freelancing", font=subtitle, fill=ACCENT, anchor="mm")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(OUTPUT, optimize=True)
    print(f"{OUTPUT}: {OUTPUT.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
