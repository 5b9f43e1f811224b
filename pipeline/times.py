"""Times: as a host types them, and as each place shows them. One name per format.

parse_time("1:02:03.5") == 3723.5      what a host types in episode.toml and corrections.toml
clock(3723.5) == "1:02:03"             players, pages, the CLI: whole seconds, counted down
chapter_time(62) == "01:02"            chapters in a description, as YouTube turns them into links
cue_time(62.345) == "00:01:02.345"     WebVTT cues (and SRT's, with a comma)
tenths(62.34) == "1:02.3"              a corrections.toml fix, told back to the host
"""

from __future__ import annotations

# What a host may type: "12:30", "1:02:30", "00:57.6".
TIME_PATTERN = r"^(\d+:)?\d{1,2}:\d{2}(\.\d+)?$"


def parse_time(value: str) -> float:
    """'mm:ss', 'h:mm:ss' or with decimals, in seconds."""
    seconds = 0.0
    for part in value.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def clock(seconds: float) -> str:
    """1:02:03 or 2:03, counting whole seconds down as players do (17.52 s is 0:17)."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def chapter_time(seconds: float) -> str:
    """00:00, or 1:02:03 past an hour: the chapter times YouTube turns into links in a description."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def cue_time(seconds: float, separator: str = ".") -> str:
    """00:01:02.345: a WebVTT cue's time; SRT's takes a comma."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def tenths(seconds: float) -> str:
    """1:02.5, as a host types a fix's times (a whole second would not tell two fixes apart)."""
    whole, tenth = divmod(round(seconds * 10), 10)
    return f"{clock(whole)}.{tenth}"
