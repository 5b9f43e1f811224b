"""The jinja2 environment shared by the notes and the site: filters and the show's labels.

User-facing words live in `templates/` only: the templates, and `templates/labels/<lang>.toml`
for the short labels, picked by the show's `language`.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import nh3
from markdown_it import MarkdownIt

from ..errors import ConfigError
from ..times import chapter_time, clock

DEFAULT_LANGUAGE = "fr"


# The host's report (pipeline/host/report.py) is never published: its template and its labels
# (labels/report-<lang>.toml) change no page, feed or MP3, so no stage's fingerprint holds them.
REPORT_FILES = ("report.html", "labels/report-*.toml")


def label_file(templates: Path, language: str, prefix: str = "") -> Path | None:
    """The labels of `language` in one templates folder (else of its base language, else French);
    `prefix` "report-" for the report's."""
    base = language.split("-")[0]
    for name in (language, base, DEFAULT_LANGUAGE):
        candidate = templates / "labels" / f"{prefix}{name}.toml"
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class Templates:
    """The templates a show is built with: its own `templates/` over the shipped ones, file by file.

    A show that wants another episode page puts only `episode.html` in its `templates/`: every
    other file, and every label it leaves out, still comes from the shipped set, so a newer
    version's templates and labels reach it too.
    """

    folders: tuple[Path, ...]  # the show's own first

    def path(self, name: str) -> Path:
        """The file `name` as the show sees it: its own if it has one."""
        for folder in self.folders:
            if (folder / name).is_file():
                return folder / name
        raise ConfigError(f"no template {name} in {' or '.join(str(f) for f in self.folders)}")

    def files(self) -> dict[str, Path]:
        """Every template file, the show's where it has one, for fingerprints: editing any re-renders.

        The package's __init__.py and its bytecode are left out: they only make the folder a
        package; so are the report's files (REPORT_FILES), which nothing published reads.
        """
        return dict(self._files)

    @functools.cached_property
    def _files(self) -> dict[str, Path]:
        # Listed once for this object, which a build's Paths keeps: the notes stage asks for
        # every episode (200 walks of the folders, 0.19 s of a catalogue's `podcast status`).
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):
            found.update(
                (str(p.relative_to(folder)), p)
                for p in sorted(folder.rglob("*"))
                if p.is_file() and p.suffix not in (".py", ".pyc") and not any(p.relative_to(folder).match(pattern) for pattern in REPORT_FILES)
            )
        return dict(sorted(found.items()))

    def label_files(self, language: str, prefix: str = "") -> list[Path]:
        """The label files read for `language`, the shipped one first and the show's over it."""
        return [f for f in (label_file(folder, language, prefix) for folder in reversed(self.folders)) if f]

    def labels(self, language: str, prefix: str = "") -> dict[str, str]:
        # Read once per language for this object, which a build's Paths keeps: the notes and tag
        # stages ask for each episode (400 TOML parses, 0.17 s CPU of a 200-episode cold build).
        if (language, prefix) not in self._labels:
            self._labels[language, prefix] = self._read_labels(language, prefix)
        return dict(self._labels[language, prefix])

    @functools.cached_property
    def _labels(self) -> dict[tuple[str, str], dict[str, str]]:
        return {}

    def _read_labels(self, language: str, prefix: str) -> dict[str, str]:
        files = self.label_files(language, prefix)
        if not files:
            raise ConfigError(f"{self.folders[-1] / 'labels'}: no labels for language {language!r} (nor for {DEFAULT_LANGUAGE!r})")
        labels: dict[str, str] = {}
        for path in files:
            with path.open("rb") as f:
                labels.update(tomllib.load(f))
        return labels


# What a description written in Markdown may become in a page, the notes and the feed's
# content:encoded: text formatting, lists, quotes and links, nothing that runs or loads. The
# Markdown renderer passes raw HTML through (CommonMark), so an <img onerror> or a <script> typed
# in episode.toml would otherwise reach every reader's browser.
SAFE_TAGS = {"p", "a", "strong", "em", "b", "i", "code", "pre", "ul", "ol", "li", "blockquote", "br", "h3", "h4", "h5", "h6", "hr"}
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
SAFE_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    """HTML cut down to SAFE_TAGS (nh3, Rust's ammonia): other tags dropped, their text kept as text."""
    return nh3.clean(html, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes=SAFE_SCHEMES, link_rel="noopener noreferrer")


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process, shared by every environment `environment` makes.

    The notes stage makes an environment per episode (its labels are read afresh), and jinja2
    compiled each template again in each: 12 s of a 200-episode catalogue's cold build. jinja2
    checks the source's checksum before it uses compiled code, so an edited template is compiled
    again; the key is the template's file, and every environment here has the same options.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])  # left empty if the checksum differs

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


def environment(templates: Templates, language: str) -> jinja2.Environment:
    from babel.dates import format_date

    markdown = MarkdownIt("commonmark", {"typographer": True}).enable(["replacements", "smartquotes"])
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(templates.folders)),  # the first folder holding a name wins
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=COMPILED,
    )
    locale = language.replace("-", "_")
    env.filters["markdown"] = lambda text: jinja2.utils.markupsafe.Markup(sanitise(markdown.render(text or "")))
    # Markdown to plain text, for <meta name="description"> and other attributes.
    env.filters["plain"] = lambda text: jinja2.utils.markupsafe.Markup(markdown.render(text or "")).striptags()
    env.filters["clock"] = clock
    env.filters["timestamp"] = chapter_time  # the filter keeps its name: a show's own templates use it
    env.filters["long_date"] = lambda when: format_date(when, format="long", locale=locale)
    env.filters["iso"] = lambda when: when.isoformat() if isinstance(when, datetime) else str(when)
    env.globals["t"] = templates.labels(language)
    env.globals["language"] = language
    return env


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)
