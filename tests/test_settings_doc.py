"""The README's settings tables against the schema: every key of `podcast.toml` and
`episode.toml` is documented, with the default the code gives it, and no key that is gone."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from pipeline import records, schema
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
REQUIRED = "required"  # a key without a default
UNSET = "unset"  # a key whose default is None: nothing set, the meaning says what happens


def _tables(annotation: Any) -> list[tuple[type[BaseModel], str]]:
    """The models a field's type holds, each with how the README names its table:
    `[owner]`, `[[hosts]]`, `[tracks.<speaker>]` (a table of tables, keyed by a name)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, "")]
    origin = typing.get_origin(annotation)
    if origin is list:
        return [(model, "[]" + kind) for model, kind in _tables(typing.get_args(annotation)[0])]
    if origin is dict:
        return [(model, ".<>" + kind) for model, kind in _tables(typing.get_args(annotation)[1])]
    return [found for arg in typing.get_args(annotation) for found in _tables(arg)]


def keys(model: type[BaseModel], table: str = "") -> dict[tuple[str, str], Any]:
    """Every key of a file's schema, by (table, key), with its default, through every table."""
    found: dict[tuple[str, str], Any] = {}
    for name, field in model.model_fields.items():
        tables = _tables(field.annotation)
        # A table that may be left out (`channels`) is a key of its own; one that is always
        # there (`[loudness]`, `[[hosts]]`) is documented by its keys.
        if not tables or field.default is None:
            found[table, name] = REQUIRED if field.is_required() else field.default
        for inner, kind in tables:
            found |= keys(inner, f"{table}.{name}{kind}".lstrip("."))
    return found


def documented(title: str) -> dict[tuple[str, str], Any]:
    """The README's settings table under `title`, by (table, key), each with its default."""
    start = README.index(f"## {title}\n")
    section = README[start : README.find("\n## ", start + 1)]
    found = {}
    for cells in re.findall(r"^\| (.+?) \| (.+?) \| .+ \|$", section, re.M):
        names = re.findall(r"`([^`]+)`", cells[0])
        if not names or cells[0] == "key":
            continue
        table = ""
        if names[0].startswith("["):
            # `[[hosts]]` → "hosts[]", `[tracks.<speaker>]` → "tracks.<>", as keys() names them
            inner = names.pop(0)
            table = re.sub(r"<[^>]*>", "<>", inner.strip("[]")) + ("[]" if inner.startswith("[[") else "")
        defaults = [value or word for value, word in re.findall(rf"`([^`]+)`|\b({REQUIRED}|{UNSET})\b", cells[1])]
        assert len(defaults) in (1, len(names)), f"{cells[0]}: one default for all the keys, or one for each ({cells[1]})"
        for name, default in zip(names, defaults * len(names) if len(defaults) == 1 else defaults):
            found[table, name] = default
    return found


def _value(written: str) -> Any:
    """A default as the README writes it: `required`, `unset`, or a TOML value."""
    if written in (REQUIRED, UNSET):
        return None if written == UNSET else REQUIRED
    return tomllib.loads(f"value = {written}")["value"]


def _same(written: Any, default: Any) -> bool:
    default = list(default) if isinstance(default, tuple) else default
    # 80 for 80.0 reads well, but `true` is not 1: a bool is compared as a bool
    return isinstance(written, bool) == isinstance(default, bool) and written == default


FILES = {"`podcast.toml`, the show": schema.Show, "`episodes/<slug>/episode.toml`, an episode": schema.Episode}


@pytest.mark.parametrize("title", FILES)
def test_every_setting_is_in_the_readme_with_its_default(title):
    readme = documented(title)
    for (table, name), default in keys(FILES[title]).items():
        key = f"[{table}] {name}" if table else name
        assert (table, name) in readme, f'{key} is not in the README\'s table under "{title}"'
        written = readme[table, name]
        assert _same(_value(written), default), f"{key}: the README says {written}, the code {default!r}"


@pytest.mark.parametrize("title", FILES)
def test_the_readme_documents_no_setting_that_is_gone(title):
    assert sorted(set(documented(title)) - set(keys(FILES[title]))) == []


# Where a record says "none" in its own way: a path not given is None in the record and "" in
# the file; no `audio` list means "find the recording", not an empty one.
OWN_WAY = {("Jingles", "intro"), ("Jingles", "outro"), ("Episode", "audio"), ("Episode", "image"), ("Episode", "tracks")}


@pytest.mark.parametrize(
    "record, model",
    [
        (records.Show, schema.Show),
        (records.Episode, schema.Episode),
        (records.Person, schema.Person),
        (records.Link, schema.Link),
        (records.Chapter, schema.Chapter),
        (records.QuotePicks, schema.Quotes),
        (records.Track, schema.Track),
        (records.Jingles, schema.Jingles),
    ],
    ids=lambda kind: kind.__module__.rsplit(".", 1)[1] + "." + kind.__name__,
)
def test_a_record_built_in_code_has_the_defaults_of_the_file(record, model):
    """A record's own defaults (for one built in code, as tests do) are the file's: they cannot drift."""
    for field in dataclasses.fields(record):
        if field.name not in model.model_fields or (record.__name__, field.name) in OWN_WAY:
            continue
        own = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
        given = model.model_fields[field.name]
        if own is dataclasses.MISSING or given.is_required() or isinstance(given.default, BaseModel) and not isinstance(own, BaseModel):
            continue
        assert own == (tuple(given.default) if isinstance(given.default, list) else given.default), f"{record.__name__}.{field.name}"
