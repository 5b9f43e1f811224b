"""What a host sees on a terminal while an episode is transcribed: percent done and time left."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import click
import pytest

from pipeline import console
from pipeline.config import load_show
from pipeline.feed.lint import Finding
from pipeline.host.checks import Review, ShowCheck
from pipeline.records import Episode
from pipeline.results import Unmatched


@pytest.fixture
def printer(monkeypatch):
    monkeypatch.setattr(console.time, "monotonic", lambda: 1000.0)
    printer = console.Printer()
    printer.tty, printer.scope, printer.started = True, "episodes/001-portage", 990.0  # 10 s ago
    return printer


@pytest.mark.parametrize(
    ("done", "total", "shown"),
    [
        (25.0, 100.0, " 25%, ~30 s left "),  # a quarter in 10 s: 30 s more
        (50.0, 100.0, " 50%, ~10 s left "),
        (3.0, 100.0, "  3%, ~323 s left "),  # 10 * 0.97 / 0.03
        (2.0, 100.0, "  2%, ~0 s left "),  # too early to guess
        (120.0, 100.0, "100%, ~0 s left "),  # the last window runs past the estimate
        (0.5, 1.0, " 50%, ~10 s left "),  # a recording of one second is shown too
    ],
)
def test_percent_done_and_time_left(printer, capsys, done, total, shown):
    printer.transcription(done, total)
    assert capsys.readouterr().err == "\repisodes/001-portage         transcribe " + shown


def test_nothing_is_shown_off_a_terminal_or_before_the_length_is_known(printer, capsys):
    printer.transcription(5.0, 0.0)
    printer.tty = False
    printer.transcription(5.0, 10.0)
    assert capsys.readouterr().err == ""


@pytest.fixture
def terminal(monkeypatch, capsys):
    """stderr as a terminal: click keeps its colours, the linter paints its levels."""
    monkeypatch.setattr(click.utils, "should_strip_ansi", lambda stream=None, color=None: False)
    monkeypatch.setattr(console, "sys", SimpleNamespace(stderr=SimpleNamespace(isatty=lambda: True)))
    return capsys


def test_check_prints_each_problem_on_stderr_in_its_colour(terminal, show_root):
    show = load_show(show_root)
    folder = show_root / "episodes" / "001-duo"
    episode = Episode("001-duo", folder, "Duo", datetime(2026, 1, 5, tzinfo=timezone.utc), ())
    result = ShowCheck(
        show,
        placeholder=True,
        unreadable=("episodes/002-ko/episode.toml:2: 'published': not a date",),
        reviews=(Review(episode, "corrections.toml:3: not valid TOML", (Unmatched("replace", "Freelance Famile"),)),),
        built=True,
        findings=[Finding("warning", "channel", "itunes:author", "none")],
    )
    console.print_check(result)
    out, err = terminal.readouterr()
    assert out == ""
    red, yellow, reset = "\x1b[31m", "\x1b[33m", "\x1b[0m"
    assert err.splitlines() == [
        f"{yellow}{show.artwork}: still the placeholder of 'podcast init'; replace it with the show's artwork"
        f" (a square PNG or JPEG, 1400 to 3000 pixels) before you publish.{reset}",
        f"{red}episodes/002-ko/episode.toml:2: 'published': not a date{reset}",
        f"{red}corrections.toml:3: not valid TOML{reset}",
        f"{yellow}{folder / 'corrections.toml'}: [replace] 'Freelance Famile' matched nothing in the transcript{reset}",
        f"{yellow}warning {reset}channel · itunes:author: none",
        "feed.xml: 0 errors, 1 warning",
    ]


def test_check_of_a_show_with_nothing_to_say_prints_nothing(terminal, show_root):
    console.print_check(ShowCheck(load_show(show_root), False, (), (), False, []))
    assert terminal.readouterr() == ("", "")
