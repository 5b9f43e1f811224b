"""Apple Podcasts' rules on what a show gives: its category list and its artwork.

The categories, which `itunes:category` must use to the letter, are from Apple's "Podcasts
categories" support page (the 2019 list, still current); the artwork's limits from "A Podcaster's
Guide to RSS" (`itunes:image`). `config.py` checks podcast.toml with them, `feed/rules.py` a built feed.
"""

from __future__ import annotations

from pathlib import Path

# A Podcaster's Guide to RSS: "The maximum amount of text allowed for this tag is 4000 bytes"
# (<description>); config refuses a longer show description, the linter reports any.
DESCRIPTION_BYTES = 4000

CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


def parse_category(text: str) -> tuple[str, ...]:
    """'Business > Careers' -> ('Business', 'Careers'); raises ValueError off Apple's list."""
    parts = tuple(p.strip() for p in text.split(">"))
    if len(parts) > 2 or parts[0] not in CATEGORIES:
        raise ValueError(f"{text!r} is not an Apple Podcasts category (see README for the list)")
    if len(parts) == 2 and parts[1] not in CATEGORIES[parts[0]]:
        subs = ", ".join(CATEGORIES[parts[0]]) or "none"
        raise ValueError(f"{parts[1]!r} is not a subcategory of {parts[0]!r} (choose from: {subs})")
    return parts


def artwork_problem(path: Path) -> str:
    """What Apple would reject in the artwork: it must be a square PNG or JPEG of 1400 to 3000 px."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        return "does not exist"
    try:
        with Image.open(path) as image:
            kind, (width, height), mode = image.format, image.size, image.mode
    except (UnidentifiedImageError, OSError):
        return "is not an image"
    if kind not in ("PNG", "JPEG"):
        return f"is {kind}; Apple takes PNG or JPEG"
    if width != height or not 1400 <= width <= 3000:
        return f"is {width}×{height}; Apple wants a square of 1400 to 3000 pixels"
    if mode not in ("RGB", "RGBA", "P", "L"):
        return f"uses the {mode} colour mode; save it as RGB"
    return ""
