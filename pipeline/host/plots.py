"""The host report's pictures, drawn by matplotlib as SVG to inline in one HTML page.

matplotlib rather than hand-written SVG: axes, ticks and legends come right on any duration,
from 45 s to three hours. Text stays text (`svg.fonttype = "none"`): the page's font draws
it, it can be selected, and the files are a third the size of glyphs drawn as paths.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..times import chapter_time

WIDTH = 10.0  # inches at 100 dpi: the page's 1000 px column
MAX_POINTS = 1500  # per curve, two a point of the plot: an hour of 100 ms steps is drawn from every 24th
PEAK_POINTS = 600  # steps of the peaks' figure: a second each up to 10 minutes
BEFORE = "#9aa0a6"  # grey: the recording as it came
AFTER = "#1f6fb2"  # blue: as published
TARGET = "#2e7d32"
CEILING = "#c62828"
LIMITED = "#ef6c00"


@dataclass(frozen=True)
class Curve:
    """Values at times in seconds on the episode's timeline (NaN: nothing to draw there)."""

    times: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Envelope:
    """A waveform as the lowest and highest sample of each stretch, times at the stretches' middles."""

    times: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class Words:
    """The figures' words, in the show's language (labels from templates/labels)."""

    before: str
    after: str
    waveform: str
    loudness: str
    target: str
    tolerance: str
    peaks: str
    ceiling: str
    linear: str
    limited: str
    time: str


def thinned(curve: Curve, points: int = MAX_POINTS) -> Curve:
    """Every n-th value, so that a curve has at most `points`: short-term loudness is a 3 s
    average, smooth at a tenth of a second, so on an hour one value in 12 loses nothing seen."""
    step = max(1, math.ceil(len(curve.values) / points))
    return Curve(curve.times[::step], curve.values[::step])


def highest(curve: Curve, points: int = PEAK_POINTS) -> Curve:
    """The highest value of each run of n, so that a curve of peaks has at most `points`: an hour of
    seconds is drawn as 600 steps of 6 s, and no peak is lost from sight."""
    step = max(1, math.ceil(len(curve.values) / points))
    if step == 1:
        return curve
    count = math.ceil(len(curve.values) / step)
    padded = np.full(count * step, np.nan)
    padded[: len(curve.values)] = curve.values
    with warnings.catch_warnings():  # a run of NaN (silence) stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        values = np.nanmax(padded.reshape(count, step), axis=1)
    return Curve(curve.times[::step] + (step - 1) * (curve.times[1] - curve.times[0]) / 2, values)


def _seconds_axis(axis, duration: float, label: str) -> None:
    axis.set_xlim(0, max(duration, 1.0))
    axis.xaxis.set_major_formatter(lambda seconds, _: chapter_time(max(seconds, 0)))
    axis.set_xlabel(label)


def levels(
    duration: float,
    envelopes: tuple[Envelope, Envelope],
    loudness: tuple[Curve, Curve],
    target: float,
    tolerance: float,
    words: Words,
    name: str,
) -> str:
    """Waveform and short-term loudness, before and after levelling, on one time axis."""
    import matplotlib.pyplot as plt

    with _style(name):
        figure, (wave, loud) = plt.subplots(2, 1, sharex=True, figsize=(WIDTH, 5.2), height_ratios=(1, 1.4), layout="constrained")
        # Before over after: levelling mostly raises a recording, and the quieter one drawn last stays seen.
        for envelope, colour, label, order in zip(envelopes, (BEFORE, AFTER), (words.before, words.after), (3, 2)):
            shown = (envelope.times >= -1) & (envelope.times <= duration + 1)  # what normalise trimmed is not drawn
            wave.fill_between(
                envelope.times[shown], envelope.low[shown], envelope.high[shown], color=colour, alpha=0.85, linewidth=0, label=label, zorder=order
            )
        wave.set_ylim(-1, 1)
        wave.set_yticks([-1, -0.5, 0, 0.5, 1])
        wave.set_ylabel(words.waveform)
        wave.legend(loc="upper right", ncols=2, fontsize="small", frameon=False)
        heard = [c.values[np.isfinite(c.values)] for c in loudness]
        lowest = min([target - 20, *(float(np.percentile(v, 5)) - 6 for v in heard if v.size)])
        highest = max([target + 6, *(float(v.max()) + 3 for v in heard if v.size)])
        loud.axhspan(target - tolerance, target + tolerance, color=TARGET, alpha=0.18, linewidth=0, label=words.tolerance)
        loud.axhline(target, color=TARGET, linewidth=1, linestyle="--", label=words.target)
        for curve, colour, label, gid in zip(loudness, (BEFORE, AFTER), (words.before, words.after), ("before", "after")):
            thin = thinned(curve)
            loud.plot(thin.times, thin.values, color=colour, linewidth=1.2, label=label, gid=f"{name}-loudness-{gid}")
        loud.set_ylim(max(lowest, -70), highest)
        loud.set_ylabel(words.loudness)
        loud.legend(loc="lower right", ncols=4, fontsize="small", frameon=False)
        loud.grid(axis="y", alpha=0.3)
        _seconds_axis(loud, duration, words.time)
        return _svg(figure, name)


def peaks(
    duration: float,
    linear: Curve,
    published: Curve,
    held: Curve,
    ceiling: float,
    limited: Sequence[tuple[float, float]],
    words: Words,
    name: str,
) -> str:
    """True peaks each second as published, against where a gain alone would have put them; what
    the limiter held back (`held`: dB each second, 0 where it did not work) is shaded above the
    published peaks."""
    import matplotlib.pyplot as plt

    top = Curve(held.times, np.where(held.values > 0, published.values + held.values, np.nan))
    linear, published, top = highest(linear), highest(published), highest(top)
    with _style(name):
        figure, axis = plt.subplots(figsize=(WIDTH, 2.6), layout="constrained")
        axis.plot(linear.times, linear.values, color=BEFORE, linewidth=1, label=words.linear, drawstyle="steps-mid")
        axis.plot(published.times, published.values, color=AFTER, linewidth=1, label=words.after, drawstyle="steps-mid", gid=f"{name}-peaks-after")
        # A bar per step held back: fill_between(step="mid") drew a lone second as a line of no width.
        held_back = np.isfinite(top.values)
        width = float(top.times[1] - top.times[0]) if len(top.times) > 1 else 1.0
        axis.bar(
            top.times[held_back],
            (top.values - published.values)[held_back],
            width=width,
            bottom=published.values[held_back],
            color=LIMITED,
            alpha=0.45,
            linewidth=0,
            label=words.limited,
        )
        axis.axhline(ceiling, color=CEILING, linewidth=1, linestyle="--", label=words.ceiling)
        for start, _ in limited:
            axis.axvline(start, color=LIMITED, linewidth=0.6, alpha=0.5)
        finite = np.concatenate([c.values[np.isfinite(c.values)] for c in (linear, published)] + [np.array([ceiling])])
        axis.set_ylim(max(float(np.percentile(finite, 2)) - 6, -60), float(finite.max()) + 2)  # the ceiling among them
        axis.set_ylabel(words.peaks)
        axis.legend(loc="lower right", ncols=4, fontsize="small", frameon=False)
        axis.grid(axis="y", alpha=0.3)
        _seconds_axis(axis, duration, words.time)
        return _svg(figure, name)


def shares(seconds: dict[str, float], label: Callable[[float, float], str], name: str) -> str:
    """Each speaker's talk time as a horizontal bar, longest first, labelled by `label(share, seconds)`."""
    import matplotlib.pyplot as plt

    ranked = sorted(seconds.items(), key=lambda item: -item[1])
    total = sum(seconds.values()) or 1.0
    with _style(name):
        figure, axis = plt.subplots(figsize=(WIDTH * 0.6, 0.5 + 0.42 * len(ranked)), layout="constrained")
        people = [person for person, _ in ranked][::-1]
        values = [spoken / total for _, spoken in ranked][::-1]
        bars = axis.barh(people, values, color=AFTER, height=0.6)
        axis.bar_label(bars, labels=[label(share, seconds[p]) for p, share in zip(people, values)], padding=4, fontsize="small")
        axis.set_xlim(0, 1.25)
        axis.set_xticks([])
        for side in ("top", "right", "bottom"):
            axis.spines[side].set_visible(False)
        return _svg(figure, name)


def _style(name: str):
    import matplotlib

    matplotlib.use("Agg")  # no display: the figures only ever become files
    return matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "text.parse_math": False,  # a name with two "$" is a name, not TeX to typeset (or to fail on)
            # Ids of clip paths and markers are hashed with this: fixed, the SVG is the same on each
            # run; one per figure, two figures in one page never share an id.
            "svg.hashsalt": name,
            "font.size": 10,
            "font.family": "sans-serif",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


_XML_HEAD = re.compile(r"\A.*?(?=<svg)", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_PATH = re.compile(r'\bd="([^"]*)"')
_DECIMALS = re.compile(r"(\d\.\d)\d+")


def _short_path(found: re.Match) -> str:
    """A path's data to a tenth of a point, on one line: matplotlib writes six decimals and a line
    per vertex, over half the size of a waveform's SVG, for a precision no screen shows."""
    return 'd="' + " ".join(_DECIMALS.sub(r"\1", found.group(1)).split()) + '"'


def _svg(figure, name: str) -> str:
    """The figure as an <svg> element to inline in HTML: no XML prolog, no metadata (its RDF names
    URLs), each id prefixed with `name` so that several figures share a page."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    plt.close(figure)
    text = _PATH.sub(_short_path, _XML_HEAD.sub("", buffer.getvalue()))
    # Each id is replaced with its quote or parenthesis around it: "p1" never touches "p12".
    for old in sorted(set(_ID.findall(text))):
        new = f"{name}-{old}" if not old.startswith(f"{name}-") else old
        text = text.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})").replace(f'href="#{old}"', f'href="#{new}"')
    return text.strip()
