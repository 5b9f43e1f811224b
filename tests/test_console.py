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


def test_a_build_s_summary_names_failures_findings_held_and_unpublished(terminal):
    from pipeline.build import BuildReport, EpisodeState, Failure
    from pipeline.engine import State

    report = BuildReport(
        episodes=[
            EpisodeState("001-a", held=["loudness: -21.0 LUFS", "the feed's enclosure: no length"], note=State.HELD),
            EpisodeState("002-b", note=State.DRAFT),
            EpisodeState("003-c"),
        ],
        show={"feed": State.RAN, "site": State.FRESH, "search": State.RAN},
        failures=[Failure("004-d", "transcribe", "no speech heard\nsecond line")],
        published=["003-c"],
        findings=[Finding("warning", "channel", "itunes:author", "none")],
    )
    console.summarise(report, 12.34)
    red, yellow, bold, reset = "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"
    assert terminal.readouterr().err.splitlines() == [
        f"{red}{bold}✗ 004-d [transcribe]{reset}",
        "    no speech heard",
        "    second line",
        f"{yellow}warning {reset}channel · itunes:author: none",
        "feed.xml: 0 errors, 1 warning",
        f"{yellow}held: 001-a (fix it, or 'podcast approve 001-a' once heard){reset}",
        "    loudness: -21.0 LUFS",
        "    the feed's enclosure: no length",
        "1 episode(s) published in public/ (12.3 s); not published: 001-a (held), 002-b (draft)",
    ]


def test_a_build_that_left_public_as_it_was_says_so(terminal):
    from pipeline.build import BuildReport
    from pipeline.engine import State

    console.summarise(BuildReport(show={"feed": State.FAILED, "site": State.WAITING, "search": State.FRESH}, published=["001-a"]), 2.0)
    assert terminal.readouterr().err == "public/ was not updated (feed failed, site waiting, search fresh); run 'podcast build' to publish (2.0 s)\n"


def test_a_build_with_everything_published_says_how_many(terminal):
    from pipeline.build import BuildReport
    from pipeline.engine import State

    console.summarise(BuildReport(show={"feed": State.FRESH}, published=["001-a", "002-b"]), 0.04)
    assert terminal.readouterr().err == "2 episode(s) published in public/ (0.0 s)\n"


def test_progress_on_a_terminal_a_stage_started_done_and_failed(terminal, monkeypatch):
    from pipeline.engine import Outcome, State

    clock = iter([100.0, 101.5])
    monkeypatch.setattr(console.time, "monotonic", lambda: next(clock))
    printer = console.Printer()
    printer.tty = True
    printer("episodes/001-a", "normalise", State.STARTED, None)
    assert (printer.scope, printer.started) == ("episodes/001-a", 100.0)
    printer("episodes/001-a", "normalise", State.RAN, Outcome(State.RAN, seconds=1.25))
    printer("episodes/001-a", "transcribe", State.FAILED, Outcome(State.FAILED, error="no speech heard\nmore"))
    printer("002-b", "config", State.FAILED, Outcome(State.FAILED, error="episode.toml:1: 'title': missing"))
    red, reset = "\x1b[31m", "\x1b[0m"
    assert terminal.readouterr().err == (
        "episodes/001-a               normalise  …"
        "\repisodes/001-a               normalise  done (1.2 s)   \n"
        "\r" + " " * 60 + "\r"
        f"{red}episodes/001-a               transcribe failed: no speech heard{reset}\n"
        f"{red}002-b                        config     failed: episode.toml:1: 'title': missing{reset}\n"
    )


def test_progress_off_a_terminal_is_the_failures_alone(terminal):
    from pipeline.engine import Outcome, State

    printer = console.Printer()
    printer.tty = False
    printer("episodes/001-a", "normalise", State.STARTED, None)
    printer("episodes/001-a", "normalise", State.RAN, Outcome(State.RAN, seconds=1.0))
    printer("episodes/001-a", "tag", State.FAILED, None)
    red, reset = "\x1b[31m", "\x1b[0m"
    assert terminal.readouterr().err == f"{red}episodes/001-a               tag        failed: {reset}\n"
