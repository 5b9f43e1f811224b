"""Times as a host types them and as each place shows them (pipeline/times.py)."""

from __future__ import annotations

import re

import pytest

from pipeline.times import (
    TIME_PATTERN,
    chapter_time,
    clock,
    cue_time,
    parse_time,
    tenths,
)


@pytest.mark.parametrize(
    ("typed", "seconds"), [("00:00", 0.0), ("12:30", 750.0), ("1:02:30", 3750.0), ("00:57.6", 57.6), ("1:02:03.5", 3723.5), ("9:05", 545.0)]
)
def test_what_a_host_types(typed, seconds):
    assert re.match(TIME_PATTERN, typed)
    assert parse_time(typed) == pytest.approx(seconds)


@pytest.mark.parametrize("typed", ["12", "1:2", "12:3", "1h02", "00:57,6", "-00:10", ""])
def test_what_is_not_a_time(typed):
    assert not re.match(TIME_PATTERN, typed)


@pytest.mark.parametrize(
    ("seconds", "shown"), [(0, "0:00"), (17.52, "0:17"), (59.99, "0:59"), (61, "1:01"), (3599, "59:59"), (3600, "1:00:00"), (3723.5, "1:02:03")]
)
def test_clock_counts_whole_seconds_as_players_do(seconds, shown):
    assert clock(seconds) == shown


@pytest.mark.parametrize(("seconds", "shown"), [(0, "00:00"), (100.3, "01:40"), (599.9, "09:59"), (3599, "59:59"), (3600, "1:00:00"), (3723.5, "1:02:03")])
def test_chapter_times_as_youtube_reads_them(seconds, shown):
    assert chapter_time(seconds) == shown


@pytest.mark.parametrize(
    ("seconds", "vtt", "srt_time"),
    [
        (0.0, "00:00:00.000", "00:00:00,000"),
        (59.9996, "00:01:00.000", "00:01:00,000"),
        (60.0, "00:01:00.000", "00:01:00,000"),
        (3599.999, "00:59:59.999", "00:59:59,999"),
        (3600.0, "01:00:00.000", "01:00:00,000"),
        (3723.5, "01:02:03.500", "01:02:03,500"),
    ],
)
def test_cue_times(seconds, vtt, srt_time):
    assert cue_time(seconds) == vtt and cue_time(seconds, ",") == srt_time


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0:00.0"), (57.6, "0:57.6"), (20.96, "0:21.0"), (59.96, "1:00.0"), (3723.44, "1:02:03.4")])
def test_tenths_as_a_host_types_a_fix(seconds, shown):
    assert tenths(seconds) == shown
