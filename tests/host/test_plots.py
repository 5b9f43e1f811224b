"""The report's figures as matplotlib draws them (the waveform over short-term loudness before and
after levelling, the true peaks and what the limiter held back) and the thinning of long curves,
with every expected value written here."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.layout_engine import ConstrainedLayoutEngine

from pipeline.host import plots

WORDS = plots.Words("Avant", "Après", "Amplitude", "Sonie", "Objectif", "Tolérance", "Crête", "Plafond", "Gain seul", "Retenu", "Temps")
DURATION = 20.0


@pytest.fixture
def drawn(monkeypatch):
    """`drawn.levels(…)` and `drawn.peaks(…)`: the matplotlib figure each drew, before it becomes SVG."""
    from types import SimpleNamespace

    figures = []

    def keep(figure, name):
        figures.append(figure)
        return ""

    monkeypatch.setattr(plots, "_svg", keep)

    def levels(envelopes, loudness, target=-19.0, tolerance=1.0):
        plots.levels(DURATION, envelopes, loudness, target, tolerance, WORDS, "levels")
        return figures[-1]

    def peaks(*args):
        plots.peaks(*args)
        return figures[-1]

    yield SimpleNamespace(levels=levels, peaks=peaks)
    import matplotlib.pyplot as plt

    for figure in figures:
        plt.close(figure)


def _envelope(scale: float) -> plots.Envelope:
    # Stretches from 1.5 s before the start to 1.5 s past the end: normalise trimmed those.
    times = np.array([-1.5, -1.0, 0.5, 10.0, 19.5, DURATION + 1.0, DURATION + 1.5])
    return plots.Envelope(times, -scale * np.ones(7), scale * np.ones(7))


def _loudness() -> tuple[plots.Curve, plots.Curve]:
    times = np.arange(100) * 0.2
    before = np.linspace(-40.0, -30.0, 100)  # its 5th percentile: -39.5
    after = np.full(100, -19.0)
    after[50] = -15.0
    after[60] = np.nan  # silence is not drawn
    return plots.Curve(times, before), plots.Curve(times, after)


def test_the_levels_figure_lays_the_waveform_over_the_loudness_on_one_time_axis(drawn):
    figure = drawn.levels((_envelope(0.1), _envelope(0.6)), _loudness())
    wave, loud = figure.axes
    assert tuple(figure.get_size_inches()) == (10.0, 5.2)  # the page's 1000 px column
    assert tuple(wave.get_subplotspec().get_gridspec().get_height_ratios()) == (1, 1.4)
    assert isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine)
    assert wave.get_shared_x_axes().joined(wave, loud)
    assert loud.get_xlim() == (0.0, DURATION) and loud.get_xlabel() == "Temps"
    assert loud.xaxis.get_major_formatter()(65.0, 0) == "01:05"


def test_the_waveforms_before_and_after_are_drawn_inside_the_episode(drawn):
    figure = drawn.levels((_envelope(0.1), _envelope(0.6)), _loudness())
    wave = figure.axes[0]
    before, after = wave.collections
    # Grey before, blue after, both a little see-through and without an outline; the quieter
    # recording (before) drawn over the louder one.
    assert to_hex(before.get_facecolor()[0], keep_alpha=True) == "#9aa0a6d9"
    assert to_hex(after.get_facecolor()[0], keep_alpha=True) == "#1f6fb2d9"
    assert (before.get_zorder(), after.get_zorder()) == (3, 2)
    assert list(before.get_linewidth()) == [0.0] and list(after.get_linewidth()) == [0.0]
    assert (before.get_label(), after.get_label()) == ("Avant", "Après")
    for fill, scale in ((before, 0.1), (after, 0.6)):
        corners = np.concatenate([path.vertices for path in fill.get_paths()])
        # From a second before the start to a second past the end, no further.
        assert (corners[:, 0].min(), corners[:, 0].max()) == (-1.0, DURATION + 1.0)
        assert (corners[:, 1].min(), corners[:, 1].max()) == pytest.approx((-scale, scale))
    assert wave.get_ylim() == (-1.0, 1.0)
    assert list(wave.get_yticks()) == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert wave.get_ylabel() == "Amplitude"
    assert [t.get_text() for t in wave.get_legend().get_texts()] == ["Avant", "Après"]


def test_the_loudness_curves_the_target_and_its_tolerance(drawn):
    figure = drawn.levels((_envelope(0.1), _envelope(0.6)), _loudness())
    loud = figure.axes[1]
    target, before, after = loud.get_lines()
    assert list(target.get_ydata()) == [-19.0, -19.0] and target.get_linestyle() == "--" and target.get_label() == "Objectif"
    assert (before.get_gid(), after.get_gid()) == ("levels-loudness-before", "levels-loudness-after")
    assert (to_hex(before.get_color()), to_hex(after.get_color())) == ("#9aa0a6", "#1f6fb2")
    assert before.get_linewidth() == 1.2 and len(before.get_ydata()) == 100  # 100 values: none thinned
    assert before.get_xdata()[[0, -1]].tolist() == pytest.approx([0.0, 19.8])  # on the episode's seconds
    assert after.get_ydata()[50] == -15.0 and np.isnan(after.get_ydata()[60])
    [band] = loud.patches  # the target ± the tolerance, faint green, across the whole axis
    assert (band.get_y(), band.get_height(), band.get_label()) == (-20.0, 2.0, "Tolérance")
    assert to_hex(band.get_facecolor(), keep_alpha=True) == "#2e7d322e" and band.get_linewidth() == 0
    assert to_hex(target.get_color()) == "#2e7d32" and target.get_linewidth() == 1
    # From 6 LU under the quietest 5 % (-39.5) up to 3 LU over the loudest value (-15).
    assert loud.get_ylim() == pytest.approx((-45.5, -12.0))
    assert loud.get_ylabel() == "Sonie"
    assert sorted(t.get_text() for t in loud.get_legend().get_texts()) == ["Après", "Avant", "Objectif", "Tolérance"]


def test_the_loudness_axis_keeps_the_target_in_sight_and_stops_at_minus_70(drawn):
    times = np.arange(10.0)
    quiet = plots.Curve(times, np.full(10, -90.0))
    figure = drawn.levels((_envelope(0.1), _envelope(0.1)), (quiet, quiet))
    # 20 LU under the target at least, 6 over, never deeper than -70.
    assert figure.axes[1].get_ylim() == pytest.approx((-70.0, -13.0))
    level = plots.Curve(times, np.full(10, -19.0))
    figure = drawn.levels((_envelope(0.1), _envelope(0.1)), (level, level))
    assert figure.axes[1].get_ylim() == pytest.approx((-39.0, -13.0))


def test_an_hour_of_loudness_is_drawn_from_1500_points():
    seconds = np.arange(36000) * 0.1
    assert len(plots.thinned(plots.Curve(seconds, np.zeros(36000))).values) == 1500  # every 24th
    assert len(plots.thinned(plots.Curve(seconds[:1500], np.zeros(1500))).values) == 1500
    thin = plots.thinned(plots.Curve(seconds[:1501], np.arange(1501.0)))
    assert thin.values.tolist() == list(range(0, 1501, 2))


def test_the_levels_figure_is_the_same_svg_each_time_with_ids_of_its_own():
    def draw() -> str:
        return plots.levels(DURATION, (_envelope(0.1), _envelope(0.6)), _loudness(), -19.0, 1.0, WORDS, "levels")

    svg = draw()
    assert svg == draw()
    assert 'id="levels-loudness-after"' in svg and 'clip-path="url(#levels-' in svg


def test_the_legends_sit_in_a_corner_on_one_row_in_small_type_without_a_frame(drawn):
    # Loud at the end: where matplotlib would put a legend of its choosing, upper left, is not upper right.
    loud_end = plots.Envelope(np.linspace(-1, DURATION + 1, 50), -np.linspace(0.05, 0.95, 50), np.linspace(0.05, 0.95, 50))
    figure = drawn.levels((_envelope(0.1), loud_end), _loudness())
    figure.canvas.draw()
    wave, loud = figure.axes
    peaks = drawn.peaks(*_peaks())
    peaks.canvas.draw()
    [limits] = peaks.axes
    for axis, corner in ((wave, "upper"), (loud, "lower"), (limits, "lower")):
        legend = axis.get_legend()
        box, frame = legend.get_window_extent(), axis.get_window_extent()
        # In the right corner, within the 0.5 em matplotlib leaves from the axes' edge.
        assert frame.x1 - 10 <= box.x1 <= frame.x1
        assert (frame.y1 - 10 <= box.y1 <= frame.y1) if corner == "upper" else (frame.y0 <= box.y0 <= frame.y0 + 10)
        rows = {round(text.get_window_extent().y0) for text in legend.get_texts()}
        assert len(rows) == 1  # every entry side by side
        assert [text.get_fontsize() for text in legend.get_texts()] == [8.33] * len(legend.get_texts())  # "small" of 10 pt
        assert not legend.get_frame_on()
    # Faint lines across the loudness and peaks axes at each level, none down them; no frame on
    # top or on the right.
    for axis in (loud, limits):
        assert all(line.get_visible() and line.get_alpha() == 0.3 for line in axis.yaxis.get_gridlines())
        assert not any(line.get_visible() for line in axis.xaxis.get_gridlines())
        assert not axis.spines["top"].get_visible() and not axis.spines["right"].get_visible()
    assert not any(line.get_visible() for line in wave.yaxis.get_gridlines())


def _peaks(held_db: float = 4.5) -> tuple:
    times = np.arange(10) + 0.5
    linear = plots.Curve(times, np.array([-12.0, -12, -12, 3, -12, -12, -12, -12, 1, -12]))
    published = plots.Curve(times, np.array([-12.0, -12, -12, -1.5, -12, -12, -12, -12, -1.5, -12]))
    held = plots.Curve(times, np.array([0.0, 0, 0, held_db, 0, 0, 0, 0, 2.5, 0]))
    return 10.0, linear, published, held, -1.0, [(3.0, held_db), (8.0, 2.5)], WORDS, "peaks"


def test_the_peaks_figure_draws_each_second_as_a_step_in_the_reports_colours(drawn):
    figure = drawn.peaks(*_peaks())
    assert tuple(figure.get_size_inches()) == (10.0, 2.6)
    assert isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine)
    [axis] = figure.axes
    linear, published, ceiling, *marks = axis.get_lines()
    for line, colour in ((linear, "#9aa0a6"), (published, "#1f6fb2")):
        assert to_hex(line.get_color()) == colour and line.get_linewidth() == 1
        assert line.get_drawstyle() == "steps-mid"  # a second's peak is flat across its second
        assert line.get_xdata().tolist() == [t + 0.5 for t in range(10)]
    assert published.get_gid() == "peaks-peaks-after"
    assert to_hex(ceiling.get_color()) == "#c62828" and ceiling.get_linestyle() == "--" and ceiling.get_linewidth() == 1
    assert all(to_hex(m.get_color()) == "#ef6c00" and m.get_alpha() == 0.5 and m.get_linewidth() == 0.6 for m in marks)
    assert axis.patches and all(to_hex(bar.get_facecolor(), keep_alpha=True) == "#ef6c0073" and bar.get_linewidth() == 0 for bar in axis.patches)
    assert [bar.get_label() for bar in axis.patches] == ["_nolegend_"] * 2 and "Retenu" in [t.get_text() for t in axis.get_legend().get_texts()]
    assert axis.get_legend().get_frame_on() is False


def test_every_decibel_the_limiter_held_is_shaded_even_under_one(drawn):
    figure = drawn.peaks(*_peaks(held_db=0.5))
    # Across the whole second, from -1.5 published up by the 0.5 dB held back.
    assert [_bar(bar) for bar in figure.axes[0].patches] == [(3.0, 4.0, -1.5, -1.0), (8.0, 9.0, -1.5, 1.0)]


def test_the_peaks_axis_goes_6_db_under_the_quietest_2_percent(drawn):
    times = np.arange(50) + 0.5
    linear = np.full(50, -12.0)
    linear[:3] = -50.0  # 3 of the 101 values drawn (50 + 50 + the ceiling): 3 %
    flat = plots.Curve(times, np.full(50, -12.0))
    args = (50.0, plots.Curve(times, linear), flat, plots.Curve(times, np.zeros(50)), -1.0, [], WORDS, "peaks")
    # Up to 2 dB over the loudest value drawn, the ceiling among them.
    assert drawn.peaks(*args).axes[0].get_ylim() == pytest.approx((-56.0, 1.0))


def test_the_time_axis_starts_at_zero_and_never_shows_a_negative_time(drawn):
    axis = drawn.peaks(*_peaks()).axes[0]
    clock = axis.xaxis.get_major_formatter()
    assert (clock(0.0, 0), clock(-5.0, 0), clock(59.9, 0)) == ("00:00", "00:00", "00:59")


def test_half_seconds_of_peaks_are_drawn_at_the_middle_of_each_run():
    times = np.arange(1202) * 0.5 + 0.25  # 601 s: runs of 3 values
    drawn = plots.highest(plots.Curve(times, np.zeros(1202)))
    assert drawn.times[:2].tolist() == pytest.approx([0.75, 2.25])


def test_the_figures_text_falls_back_on_the_pages_sans_serif():
    svg = plots.shares({"Aline": 10.0}, lambda share, seconds: "100 %", "speakers")
    families = set(re.findall(r"font-family: ([^;\"]+)", svg))
    assert families and all(family.endswith(", sans-serif") for family in families)


def test_the_peaks_figure_is_the_same_svg_each_time_with_paths_to_a_tenth_of_a_point():
    from xml.etree import ElementTree

    svg = plots.peaks(*_peaks())
    assert svg == plots.peaks(*_peaks())
    paths = [p.get("d") for p in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}path") if p.get("d")]
    assert paths
    for d in paths:
        # Commands and numbers, one space apart, on one line.
        assert re.fullmatch(r"[MLCQZz]( -?\d+(\.\d)?)*( [MLCQZz]( -?\d+(\.\d)?)*)*", d), d


def test_an_hour_of_peaks_is_drawn_as_600_steps_that_keep_every_peak():
    seconds = np.arange(3600) + 0.5
    values = np.full(3600, -20.0)
    values[1234] = -0.5
    values[600:606] = np.nan  # a silent run stays silent
    drawn = plots.highest(plots.Curve(seconds, values))
    assert len(drawn.values) == 600
    assert drawn.values[1234 // 6] == -0.5
    assert np.isnan(drawn.values[100]) and drawn.values[101] == -20.0
    assert drawn.times[:2] == pytest.approx([3.0, 9.0])  # the middle of each run of 6 s


def test_ten_minutes_of_peaks_are_drawn_second_by_second():
    curve = plots.Curve(np.arange(600) + 0.5, np.linspace(-20, -1, 600))
    assert plots.highest(curve) is curve


def test_a_last_short_run_of_peaks_is_drawn_too():
    values = np.full(601, -20.0)
    values[600] = -3.0
    drawn = plots.highest(plots.Curve(np.arange(601) + 0.5, values))
    assert len(drawn.values) == 301 and drawn.values[-1] == -3.0
    assert drawn.times[-1] == pytest.approx(601.0)


def _bar(bar) -> tuple[float, float, float, float]:
    """A bar's left, right, bottom and top, in the axis' units."""
    return (round(bar.get_x(), 6), round(bar.get_x() + bar.get_width(), 6), bar.get_y(), bar.get_y() + bar.get_height())


def _is(colour, hue: str) -> bool:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return {"grey": max(r, g, b) - min(r, g, b) < 0.1, "blue": b > r + 0.3 and b > g, "red": r > g + 0.4 and r > b + 0.4, "orange": r > g > b + 0.3}[hue]


def test_the_peaks_figure_shows_both_curves_the_ceiling_and_the_limited_places(drawn):
    axis = drawn.peaks(*_peaks()).axes[0]
    linear, published, ceiling, *marks = axis.get_lines()
    # Grey where a gain alone would have put the peaks, blue as published (the page's help says so).
    assert linear.get_ydata().tolist() == [-12, -12, -12, 3, -12, -12, -12, -12, 1, -12] and _is(linear.get_color(), "grey")
    assert published.get_ydata().tolist()[3] == -1.5 and _is(published.get_color(), "blue")
    assert list(ceiling.get_ydata()) == [-1.0, -1.0] and _is(ceiling.get_color(), "red")
    assert [mark.get_xdata()[0] for mark in marks] == [3.0, 8.0] and all(_is(m.get_color(), "orange") for m in marks)
    # What the limiter held back, shaded in orange from the published peak up, only where it worked.
    # A bar across each second held back, from the published peak up by what was held.
    assert [_bar(bar) for bar in axis.patches] == [(3.0, 4.0, -1.5, 3.0), (8.0, 9.0, -1.5, 1.0)]
    assert all(_is(bar.get_facecolor(), "orange") for bar in axis.patches)
    assert sorted(t.get_text() for t in axis.get_legend().get_texts()) == ["Après", "Gain seul", "Plafond", "Retenu"]
    assert axis.get_ylabel() == "Crête" and axis.get_xlabel() == "Temps"
    # Down to 6 dB under the quietest peaks, up to 2 dB over the loudest; the seconds as a clock.
    assert axis.get_ylim() == pytest.approx((-18.0, 5.0))
    assert axis.get_xlim() == (0.0, 10.0)
    assert axis.xaxis.get_major_formatter()(65.0, 0) == "01:05"


def test_the_peaks_figure_always_shows_the_ceiling_and_no_deeper_than_60_db(drawn):
    times = np.arange(3) + 0.5
    quiet = plots.Curve(times, np.array([-80.0, -70.0, np.nan]))
    axis = drawn.peaks(0.5, quiet, quiet, plots.Curve(times, np.zeros(3)), -1.0, [], WORDS, "peaks").axes[0]
    assert axis.get_ylim() == pytest.approx((-60.0, 1.0)) and axis.get_xlim() == (0.0, 1.0)
    assert len(axis.patches) == 0  # nothing held back, no bar


def test_an_hour_of_peaks_is_drawn_from_600_steps_with_the_limited_one_kept(drawn):
    times = np.arange(3600) + 0.5
    published, held = np.full(3600, -12.0), np.zeros(3600)
    published[1234], held[1234] = -1.5, 4.0
    curve = plots.Curve(times, published)
    axis = drawn.peaks(3600.0, curve, curve, plots.Curve(times, held), -1.0, [(1234.0, 4.0)], WORDS, "peaks").axes[0]
    linear, after = axis.get_lines()[:2]
    assert len(linear.get_ydata()) == 600 and after.get_ydata()[205] == -1.5
    # The run of 6 s the second falls in (1230-1236), the published -1.5 raised by 4 dB.
    assert [_bar(bar) for bar in axis.patches] == [(1230.0, 1236.0, -1.5, 2.5)]
    assert axis.xaxis.get_major_formatter()(3725.0, 0) == "1:02:05"


def test_the_peaks_figure_is_inline_svg_with_the_shows_words():
    svg = plots.peaks(*_peaks())
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for word in ("Gain seul", "Après", "Plafond", "Retenu", "Crête", "Temps"):
        assert f">{word}<" in svg
    assert 'id="peaks-peaks-after"' in svg
