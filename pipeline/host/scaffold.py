"""`podcast init` and `podcast new`: a new show, a new episode folder, with TOML to fill in."""

from __future__ import annotations

import filecmp
import re
import shutil
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from slugify import slugify

from ..config import SHOW_FILE, load_show
from ..errors import ConfigError
from ..files import write_atomic
from ..jobs import PACKAGE_TEMPLATES, Paths

SLUG_WORDS = 60  # characters of the title kept in the folder name
NEW_SHOW_ARTWORK = "artwork.png"  # what the new podcast.toml names as the show's artwork


def toml_string(text: str) -> str:
    """A TOML basic string that keeps accents readable (json.dumps would write \\u00e9)."""
    escapes = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}
    body = "".join(escapes.get(c, c if c.isprintable() else f"\\u{ord(c):04x}") for c in text)
    return f'"{body}"'


def placeholder_artwork() -> Path:
    """The artwork `podcast init` puts in a new show: 1400 px square, saying to replace it."""
    return Path(str(files("pipeline.assets") / "placeholder-artwork.png"))


def is_placeholder(artwork: Path) -> bool:
    """Whether `artwork` is still the placeholder of `podcast init`, byte for byte."""
    return filecmp.cmp(artwork, placeholder_artwork(), shallow=False)


def new_show(root: Path) -> Path:
    """Create a show in `root`: podcast.toml, an empty episodes/ and a placeholder artwork.

    The show's title is the folder's name; every other setting is explained in the file.

    Returns:
        The new podcast.toml.

    Raises:
        ConfigError: the folder already holds one of them (nothing is overwritten).
    """
    root = root.resolve()
    show_file, episodes, artwork = root / SHOW_FILE, root / "episodes", root / NEW_SHOW_ARTWORK
    taken = [p.name for p in (show_file, episodes, artwork) if p.exists()]
    if taken:
        raise ConfigError(f"{root} already holds {', '.join(taken)}: a new show needs a folder without them")
    # The package's own templates: a new show has no templates/ of its own yet.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_TEMPLATES), keep_trailing_newline=True)
    env.filters["toml"] = toml_string
    text = env.get_template("new-show.toml").render(title=root.name)
    episodes.mkdir(parents=True)
    shutil.copyfile(placeholder_artwork(), artwork)
    write_atomic(show_file, text)
    return show_file


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
    # save_order: stop at the first word past the limit; without it, slugify skips that word and
    # goes on with shorter ones after it ("…-encore-a-de" for "…encore à quitter leur CDI pour de bon").
    words = slugify(title, max_length=SLUG_WORDS, word_boundary=True, save_order=True)
    if not words:
        raise ConfigError(f"the title {title!r} gives no usable folder name; use letters or digits")
    folder = paths.episodes / f"{number:03d}-{words}"
    if folder.exists():
        raise ConfigError(f"{folder} already exists")
    when = (now or datetime.now(ZoneInfo(show.timezone))).replace(microsecond=0)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(list(paths.templates.folders)), keep_trailing_newline=True)
    env.filters["toml"] = toml_string
    text = env.get_template("new-episode.toml").render(title=title, published=when.isoformat(), number=number, guests=guests)
    folder.mkdir(parents=True)
    write_atomic(folder / "episode.toml", text)
    return folder
