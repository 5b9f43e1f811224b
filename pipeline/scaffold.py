"""`podcast new`: a new episode folder with an episode.toml to fill in."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from slugify import slugify

from .config import load_show
from .engine import write_atomic
from .errors import ConfigError
from .jobs import Paths

SLUG_WORDS = 60  # characters of the title kept in the folder name


def toml_string(text: str) -> str:
    """A TOML basic string that keeps accents readable (json.dumps would write \\u00e9)."""
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}
    body = "".join(escapes.get(c, c if c.isprintable() else f"\\u{ord(c):04x}") for c in text)
    return f'"{body}"'


def next_number(episodes: Path) -> int:
    numbers = [int(m.group(1)) for p in episodes.glob("*") if (m := re.match(r"^(\d+)-", p.name))]
    return max(numbers, default=0) + 1


def new_episode(root: Path, title: str, guests: list[str], now: datetime | None = None) -> Path:
    """Create `episodes/<NNN>-<title>/episode.toml` (a draft) and return the folder.

    Raises:
        ConfigError: the title makes no usable folder name, or the folder exists.
    """
    paths = Paths(root.resolve())
    show = load_show(paths.root)
    number = next_number(paths.episodes)
    words = slugify(title, max_length=SLUG_WORDS, word_boundary=True)
    if not words:
        raise ConfigError(f"the title {title!r} gives no usable folder name; use letters or digits")
    folder = paths.episodes / f"{number:03d}-{words}"
    if folder.exists():
        raise ConfigError(f"{folder} already exists")
    when = (now or datetime.now(ZoneInfo(show.timezone))).replace(microsecond=0)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(paths.templates), keep_trailing_newline=True)
    env.filters["toml"] = toml_string
    text = env.get_template("new-episode.toml").render(title=title, published=when.isoformat(), number=number, guests=guests)
    folder.mkdir(parents=True)
    write_atomic(folder / "episode.toml", text)
    return folder
