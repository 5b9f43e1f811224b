"""The jinja2 environment shared by the notes and the site: filters and the show's labels.

User-facing words live in `templates/` only: the templates, and `templates/labels/<lang>.toml`
for the short labels, picked by the show's `language`.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from .errors import ConfigError
from .writers import clock

DEFAULT_LANGUAGE = "fr"


def label_file(templates: Path, language: str) -> Path:
    base = language.split("-")[0]
    for name in (language, base, DEFAULT_LANGUAGE):
        candidate = templates / "labels" / f"{name}.toml"
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{templates / 'labels'}: no labels for language {language!r} (nor for {DEFAULT_LANGUAGE!r})")


def timestamp(seconds: float) -> str:
    """00:00, or 1:02:03 past an hour: the chapter times YouTube turns into links in a description."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def environment(templates: Path, language: str) -> jinja2.Environment:
    from babel.dates import format_date

    markdown = MarkdownIt("commonmark", {"typographer": True}).enable(["replacements", "smartquotes"])
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    locale = language.replace("-", "_")
    env.filters["markdown"] = lambda text: jinja2.utils.markupsafe.Markup(markdown.render(text or ""))
    # Markdown to plain text, for <meta name="description"> and other attributes.
    env.filters["plain"] = lambda text: jinja2.utils.markupsafe.Markup(markdown.render(text or "")).striptags()
    env.filters["clock"] = clock
    env.filters["timestamp"] = timestamp
    env.filters["long_date"] = lambda when: format_date(when, format="long", locale=locale)
    env.filters["iso"] = lambda when: when.isoformat() if isinstance(when, datetime) else str(when)
    with label_file(templates, language).open("rb") as f:
        env.globals["t"] = tomllib.load(f)
    env.globals["language"] = language
    return env


def template_files(templates: Path) -> dict[str, Path]:
    """Every file under templates/, for fingerprints: editing any template re-renders.

    The package's __init__.py and its bytecode are left out: they only make the folder a package.
    """
    return {
        str(p.relative_to(templates)): p
        for p in sorted(templates.rglob("*"))
        if p.is_file() and p.suffix not in (".py", ".pyc")
    }


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)
