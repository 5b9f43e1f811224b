"""What a host sees on a terminal while an episode is transcribed: percent done and time left."""

from __future__ import annotations

import pytest

from pipeline import console


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
