"""Regenerate assets/placeholder-artwork.png, the artwork `podcast init` gives a new show.

A plain 1400×1400 PNG (Apple's smallest, so the file stays small) that says to replace it;
`podcast check` recognises it byte for byte and says so until it is replaced.

    .venv/bin/python scripts/make_placeholder_artwork.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUTPUT = Path(__file__).resolve().parent.parent / "assets" / "placeholder-artwork.png"
SIZE = 1400  # Apple Podcasts: 1400 to 3000 pixels square
PAPER, INK, LINE = (236, 236, 236), (90, 90, 90), (170, 170, 170)


def main() -> None:
    image = Image.new("RGB", (SIZE, SIZE), PAPER)
    draw = ImageDraw.Draw(image)
    # A dashed frame, as where something is to be put.
    margin, dash = 90, 60
    for start in range(margin, SIZE - margin, 2 * dash):
        end = min(start + dash, SIZE - margin)
        for a, b in (
            ((start, margin), (end, margin)),
            ((start, SIZE - margin), (end, SIZE - margin)),
            ((margin, start), (margin, end)),
            ((SIZE - margin, start), (SIZE - margin, end)),
        ):
            draw.line((a, b), fill=LINE, width=12)
    title = ImageFont.load_default(size=120)
    body = ImageFont.load_default(size=58)
    draw.text((SIZE / 2, 560), "Your artwork here", font=title, fill=INK, anchor="mm")
    draw.text((SIZE / 2, 760), "Replace artwork.png with a square", font=body, fill=INK, anchor="mm")
    draw.text((SIZE / 2, 840), "PNG or JPEG of 1400 to 3000 pixels", font=body, fill=INK, anchor="mm")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    image.save(OUTPUT, optimize=True)
    print(f"{OUTPUT}: {OUTPUT.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
