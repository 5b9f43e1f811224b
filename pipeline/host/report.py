"""The host's report: one self-contained HTML page per built episode, never published.

What it shows comes from the records the stages left (`Levelled`, `Transcribed`, `Diarized`,
read through a dry-run build as `podcast status` reads them) and from one measurement of its
own, which the normalise stage does not keep: loudness every 100 ms and the waveform, of the
programme before levelling and of the levelled MP3. That measurement is a stage of the build
engine (`Measure`): fingerprinted by the recordings', jingles' and levelled MP3's content and
normalise's settings, its arrays saved in the build cache, so a second report decodes nothing.

The pages go to `.build/reports/<slug>.html`: beside the levelled MP3 they play (the cache's,
untagged, so that a held episode, absent from public/, can be heard too), regenerated at will
and, like the rest of `.build/`, neither published nor committed.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
from array import array
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, cast
from urllib.parse import quote

import numpy as np

from ..audio import ffmpeg, jingles
from ..audio.level import leveller
from ..audio.loudness import SILENT, STEP, FrameLog, integrated
from ..audio.programme import SAMPLE_RATE, WORKING_RATE, programme
from ..build import EpisodeState, build, scope_of
from ..config import load_show
from ..engine import Stage, State, Store, run_stage
from ..errors import ConfigError, StageError
from ..files import write_atomic
from ..jobs import EpisodeJob, Paths, Resources
from ..records import Show
from ..results import Corrected, Diarized, Levelled, Transcribed
from ..site.render import environment, render
from ..stages.normalise import Normalise, episode_jingles
from . import plots
from .gate import LOUDNESS_BORDERLINE, hold_reasons, off_target

logger = logging.getLogger(__name__)

REPORTS = "reports"  # .build/reports/<slug>.html
TEMPLATE = "report.html"
LABELS = "report-"  # templates/labels/report-<lang>.toml, over the site's labels
ENVELOPE_POINTS = 1500  # stretches the waveform is cut into: two a point of the figure's 670 pt wide plot
SHORT_TERM = 3.0  # seconds: EBU R128's short-term window (EBU Tech 3341)
PEAK_BIN = 1.0  # seconds over which the true peaks are compared, before and after
# dB a second's peak must lose to count as limited: MP3 itself moves true peaks by up to ±1 dB
# (see encode.peak_margin), which is not the limiter's doing.
LIMITED_BY = 1.0
# dB under the MP3's highest peak within which a second's peak counts as the limiter's output: it
# holds peaks at one threshold, and MP3 moves them by up to 1.7 dB (encode.peak_margin).
LIMITER_BAND = 3.0
PLACES_SHOWN = 8  # limited places listed with a link to hear them
PLACES_APART = 5.0  # seconds between two of them: the seconds around a loud one are one passage

_NUMBER = r"-?(?:inf|nan|[\d.]+)"
_SHORT = re.compile(rf" S: *({_NUMBER}) ")
_LEVEL = re.compile(rf"lavfi\.astats\.Overall\.(Min|Max)_level=({_NUMBER})")


class Meter(FrameLog):
    """ebur128's 100 ms lines (momentary, true peak, and short-term loudness) and, from an
    `astats` + `ametadata` pair named alike, the lowest and highest sample of each stretch."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._short = array("d")
        self._levels = {"Min": array("d"), "Max": array("d")}
        self._stretch_prefix = f"[ametadata@{name} @"

    def take(self, line: str) -> bool:
        if super().take(line):
            found = _SHORT.search(line)
            self._short.append(float(found.group(1)) if found else math.nan)
            return True
        if line.startswith(self._stretch_prefix):
            found = _LEVEL.search(line)
            if found:
                self._levels[found.group(1)].append(float(found.group(2)))
            return True
        return False

    @property
    def short_term(self) -> np.ndarray:
        return np.array(self._short)

    @property
    def low(self) -> np.ndarray:
        return np.array(self._levels["Min"])

    @property
    def high(self) -> np.ndarray:
        return np.array(self._levels["Max"])


def meter_chain(name: str, stretch: int) -> str:
    """Filters measuring what flows through them: ebur128 at the published rate, then the
    samples' extremes over each `stretch` samples."""
    return (
        f"aresample={SAMPLE_RATE},ebur128@{name}=peak=true:framelog=info,"
        f"asetnsamples=n={stretch}:p=0,"
        f"astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=Min_level+Max_level,"
        f"ametadata@{name}=mode=print"
    )


def stretch_for(duration: float) -> int:
    """Samples per stretch of the waveform: ENVELOPE_POINTS of them over `duration`."""
    return max(1, math.ceil(duration * SAMPLE_RATE / ENVELOPE_POINTS))


def measure_file(inputs: list[str], graph: str, name: str, duration: float, about: str) -> Meter:
    """Run `graph`, whose output is labelled [body], through the meter in one decoding pass."""
    meter = Meter(name)
    chain = f"{graph};[body]{meter_chain(name, stretch_for(duration))}[measured]"
    ffmpeg.run_logged(["-nostats", *inputs, "-filter_complex", chain, "-map", "[measured]", "-f", "null", "-"], about, meter.take)
    return meter


@dataclass(frozen=True)
class Curves:
    """The Measure stage's result: where its arrays are, and how the programme sits on the episode."""

    # .npz of float32 arrays, before_* for the programme and after_* for the MP3: short, momentary
    # (LUFS) and peak (dBTP) every 100 ms, low and high (samples) every stretch. before_peak holds
    # the leveller's gain too, when it evened the range out: where a gain alone puts the peaks.
    file: Path
    offset: float  # seconds from the programme's time to the episode's: intro, less the trimmed start
    before_stretch: float  # seconds per waveform stretch
    after_stretch: float


class Measure(Stage):
    """Loudness and waveform of the programme before levelling and of the levelled MP3."""

    name = "report"
    version = 1
    result = Curves

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        # What makes the programme: normalise's own settings (cleaning, tracks, jingles, ffmpeg).
        return {"normalise": Normalise().settings(job), "points": ENVELOPE_POINTS}

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {**Normalise().inputs(job), "levelled": job.results[Levelled].audio}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"curves": job.cache / "report-curves.npz"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> Curves:
        levelled = job.results[Levelled]
        numbers = levelled.report
        # The programme exactly as normalise measured it (joined or mixed, cleaned), before any gain.
        show = programme(list(job.episode.audio), job.episode.tracks, job.show.audio)
        about = ", ".join(str(p) for p in (job.episode.audio or [t.file for t in job.episode.tracks]))
        before = measure_file(show.input_args(), show.graph(), "before", show.duration, about)
        after = measure_file(["-i", str(levelled.audio)], "[0:a:0]anull[body]", "after", levelled.duration, str(levelled.audio))
        peaks = before.true_peak
        if numbers.levelled_range is not None:
            # The leveller's gain, computed from these very blocks as normalise computed it. A
            # step's peak lies between two gain steps; where the gain jumps (one voice to another)
            # the lower is taken, so that a jump is never shown as the limiter's work.
            gains = leveller(before.momentary, peaks, job.show.audio.silence_threshold).gains
            peaks = peaks + np.minimum(gains, np.concatenate([gains[1:], gains[-1:]]))
        with out["curves"].open("wb") as f:  # a file object: np.savez would add .npz to the temporary's name
            np.savez_compressed(
                f,
                before_short=before.short_term.astype("f4"),
                before_momentary=before.momentary.astype("f4"),
                before_peak=peaks.astype("f4"),
                before_low=before.low.astype("f4"),
                before_high=before.high.astype("f4"),
                after_short=after.short_term.astype("f4"),
                after_momentary=after.momentary.astype("f4"),
                after_peak=after.true_peak.astype("f4"),
                after_low=after.low.astype("f4"),
                after_high=after.high.astype("f4"),
            )
        return Curves(
            out["curves"],
            offset=round(intro_lead(job, numbers.channels) - numbers.trimmed[0], 3),
            before_stretch=stretch_for(show.duration) / SAMPLE_RATE,
            after_stretch=stretch_for(levelled.duration) / SAMPLE_RATE,
        )


def intro_lead(job: EpisodeJob, channels: int) -> float:
    """Seconds the intro jingle puts before the programme: the jingle as normalise prepares it
    (edges trimmed), less the crossfade. A jingle is seconds long: preparing it again is cheap."""
    chosen = episode_jingles(job)
    if not chosen or not chosen.intro:
        return 0.0
    with tempfile.TemporaryDirectory() as work:
        target = job.show.loudness.target_for(channels)
        ready = jingles.prepare(chosen.intro, Path(work), target, channels, WORKING_RATE, job.show.audio.silence_threshold)
        return ffmpeg.probe(ready).duration - chosen.crossfade


@dataclass(frozen=True)
class Measured:
    """The arrays of a Curves file, on the episode's timeline."""

    curves: Curves
    arrays: dict[str, np.ndarray]

    def times(self, which: str, key: str = "short") -> np.ndarray:
        """End time of each 100 ms step of `which` ("before" or "after"), on the episode's timeline."""
        count = len(self.arrays[f"{which}_{key}"])
        return (np.arange(count) + 1) * STEP + (self.curves.offset if which == "before" else 0.0)

    def short_term(self, which: str) -> plots.Curve:
        """Short-term loudness, drawn at the middle of its 3 s window; NaN under the absolute gate."""
        values = self.arrays[f"{which}_short"].astype(float)
        return plots.Curve(self.times(which) - SHORT_TERM / 2, np.where(values > SILENT, values, np.nan))

    def envelope(self, which: str) -> plots.Envelope:
        stretch = self.curves.before_stretch if which == "before" else self.curves.after_stretch
        low, high = self.arrays[f"{which}_low"].astype(float), self.arrays[f"{which}_high"].astype(float)
        shift = self.curves.offset if which == "before" else 0.0
        return plots.Envelope((np.arange(len(low)) + 0.5) * stretch + shift, low, high)

    def integrated(self, which: str) -> float:
        return integrated(self.arrays[f"{which}_momentary"].astype(float))


def load_measured(curves: Curves) -> Measured:
    with np.load(curves.file) as data:
        return Measured(curves, {key: data[key] for key in data.files})


@dataclass(frozen=True)
class Limiting:
    """The limiter's work, second by second: where a gain alone would have put the peaks, where they are."""

    linear: plots.Curve  # dBTP each second, the programme's peaks plus normalise's gains
    published: plots.Curve  # dBTP each second, measured on the MP3
    reduction: np.ndarray  # dB taken off each second (0 where nothing was)
    places: list[tuple[float, float]]  # (second, dB) where over LIMITED_BY was taken, most first


def limiting(measured: Measured, gain: float, duration: float, trimmed_end: float = 0.0) -> Limiting:
    """Compare each second's highest true peak before (plus `gain`, normalise's after any leveller)
    with the MP3's: the difference, where positive, is what the limiter held back.

    Only whole seconds of the programme are compared (`trimmed_end`: seconds normalise cut off
    its end), and only those whose published peak reaches the limiter's output, LIMITER_BAND
    under the MP3's highest: under it, what is missing was not limited but dropped by the
    encoder (LAME leaves out sound under its threshold of hearing, 60 dB down and more).
    """
    programme_end = len(measured.arrays["before_peak"]) * STEP + measured.curves.offset - trimmed_end
    bins = max(1, math.floor(min(duration, programme_end) / PEAK_BIN))

    def per_bin(which: str, extra: float) -> np.ndarray:
        values = measured.arrays[f"{which}_peak"].astype(float) + extra
        times = measured.times(which, "peak") - STEP / 2
        index = np.floor(times / PEAK_BIN).astype(int)
        keep = (index >= 0) & (index < bins) & np.isfinite(values) & (times < programme_end)
        top = np.full(bins, -np.inf)
        np.maximum.at(top, index[keep], values[keep])
        return np.where(np.isfinite(top), top, np.nan)

    linear, published = per_bin("before", gain), per_bin("after", 0.0)
    reaches = published >= np.nanmax(published) - LIMITER_BAND if np.isfinite(published).any() else np.zeros(bins, bool)
    reduction = np.where(reaches, np.nan_to_num(np.clip(linear - published, 0, None)), 0.0)
    times = (np.arange(bins) + 0.5) * PEAK_BIN
    places: list[tuple[float, float]] = []
    for i in np.argsort(-reduction, kind="stable"):
        if reduction[i] <= LIMITED_BY or len(places) == PLACES_SHOWN:
            break
        if all(abs(i * PEAK_BIN - second) >= PLACES_APART for second, _ in places):  # one link a passage
            places.append((float(i * PEAK_BIN), round(float(reduction[i]), 1)))
    return Limiting(plots.Curve(times, linear), plots.Curve(times, published), reduction, places)


@dataclass(frozen=True)
class Figure:
    """One measured figure against what the show asks, judged pass, borderline or fail."""

    key: str  # "integrated", "true_peak", "lra"
    value: float
    aim: str  # what the show asks, as shown
    verdict: str  # "pass", "borderline", "fail"


def figures(show: Show, levelled: Levelled) -> list[Figure]:
    """The MP3's loudness, true peak and range against the show's targets, judged with the
    publish gate's borderline (gate.py) and normalise's limits."""
    loudness = show.loudness
    target = levelled.report.target
    off = off_target(levelled)
    if off <= LOUDNESS_BORDERLINE * loudness.tolerance:
        level = "pass"
    else:
        level = "borderline" if off <= loudness.tolerance else "fail"
    return [
        Figure("integrated", levelled.integrated, f"{target:g} ± {loudness.tolerance:g}", level),
        # Normalise refuses an MP3 over the ceiling, so a built one passes; judged anyway, for
        # a ceiling lowered since.
        Figure("true_peak", levelled.true_peak, f"≤ {loudness.true_peak:g}", "pass" if levelled.true_peak <= loudness.true_peak else "fail"),
        # A range over the show's `lra` is only warned about by normalise: borderline.
        Figure("lra", levelled.lra, f"≤ {loudness.lra:g}", "pass" if levelled.lra <= loudness.lra else "borderline"),
    ]


@dataclass(frozen=True)
class Gate:
    """The publish gate's verdict: state "published", "held", "draft", "scheduled" or "waiting"."""

    state: str
    reasons: list[str]  # why it is held, or why it would be, were it not approved
    approved: bool


def gate_verdict(show: Show, state: EpisodeState) -> Gate:
    episode = state.episode
    assert episode is not None  # a report is written for episodes that were read (write_reports)
    # What the gate finds, an approved episode's too; the feed linter's reasons are known only
    # from the build's walk (gate.feed_hold), which holds the episode with them.
    reasons = state.held if state.note == State.HELD else hold_reasons(show, replace(episode, approved=False), state.results)
    if state.note in (State.DRAFT, State.SCHEDULED):
        kind = str(state.note)
    elif reasons and not episode.approved:
        kind = "held"
    else:
        kind = "published" if state.ready else "waiting"
    return Gate(kind, reasons, episode.approved)


def report_path(paths: Paths, slug: str) -> Path:
    return paths.build / REPORTS / f"{slug}.html"


def audio_href(page: Path, audio: Path) -> str:
    """The levelled MP3 as a link relative to the page: it plays from disk, as file:// pages do."""
    return quote(os.path.relpath(audio, page.parent).replace(os.sep, "/"))


def write_reports(root: Path, slugs: tuple[str, ...] = (), measuring: Callable[[str], None] | None = None) -> tuple[list[Path], list[str]]:
    """Write the report of each built episode (or of those named) under .build/reports/.

    `measuring` is told an episode's slug when its audio is measured (a minute on an hour; once).
    Returns the pages written and, for each episode left out, why. Without `slugs`, the reports
    of episodes that are gone are removed.

    Raises:
        ConfigError: podcast.toml is unusable, a slug names no episode, or a named episode is not built.
    """
    paths = Paths(root.resolve())
    report = build(paths.root, slugs=slugs, dry_run=True)
    states = [s for s in report.episodes if not slugs or s.slug in slugs]
    show = load_show(paths.root)
    store = Store(paths.build)
    written, skipped = [], []
    try:
        for state in states:
            if state.episode is None or state.results.get(Levelled) is None:
                why = state.failure.message.splitlines()[0] if state.failure else "not built yet"
                if slugs:
                    raise ConfigError(f"{paths.episodes / state.slug}: no report: {why}; run 'podcast build {state.slug}' first")
                skipped.append(f"{state.slug}: {why}")
                continue
            written.append(write_report(paths, show, state, store, measuring))
    finally:
        store.hashes.save()
    if not slugs:
        folders = {s.slug for s in report.episodes}
        for page in (paths.build / REPORTS).glob("*.html"):
            if page.stem not in folders:
                page.unlink()
    return written, skipped


def write_report(paths: Paths, show: Show, state: EpisodeState, store: Store, measuring: Callable[[str], None] | None = None) -> Path:
    """Measure (once: the Measure stage is cached) and write one episode's page."""
    assert state.episode is not None  # write_reports skips the episodes it could not read
    job = EpisodeJob(show=show, episode=state.episode, paths=paths, resources=Resources(), results=state.results)
    told = (lambda: measuring(state.slug)) if measuring else None
    outcome = run_stage(Measure(), job, store, scope_of(state.slug), on_start=told)
    if outcome.state == State.FAILED:
        raise StageError(f"{state.slug}: could not measure the audio for the report: {outcome.error}")
    assert outcome.record is not None  # a stage that did not fail left its record
    measured = load_measured(outcome.record.result)
    page = report_path(paths, state.slug)
    write_atomic(page, render_report(paths, show, state, measured, page))
    logger.info("%s: report written to %s", state.slug, page)
    return page


def render_report(paths: Paths, show: Show, state: EpisodeState, measured: Measured, page: Path) -> str:
    env = environment(paths.templates, show.language)
    labels = env.globals["t"] = {**cast(dict[str, str], env.globals["t"]), **paths.templates.labels(show.language, prefix=LABELS)}
    levelled = state.results[Levelled]
    duration = levelled.duration
    target = levelled.report.target
    words = plots.Words(
        before=labels["report_before"],
        after=labels["report_after"],
        waveform=labels["report_waveform"],
        loudness=labels["report_loudness_axis"],
        target=labels["report_target"],
        tolerance=labels["report_tolerance"],
        peaks=labels["report_peaks_axis"],
        ceiling=labels["report_ceiling"],
        linear=labels["report_linear"],
        limited=labels["report_limited"],
        time=labels["report_time"],
    )
    limited = limiting(measured, levelled.report.gain, duration, levelled.report.trimmed[1])
    heard = state.results.get(Transcribed)
    spoken = state.results.get(Diarized)
    decimal = labels["decimal_mark"]
    share_label = lambda share, seconds: f"{share:.0%} · {seconds / 60:.1f} min".replace(".", decimal)  # noqa: E731
    pictures = {
        "levels": plots.levels(
            duration,
            (measured.envelope("before"), measured.envelope("after")),
            (measured.short_term("before"), measured.short_term("after")),
            target,
            show.loudness.tolerance,
            words,
            "levels",
        ),
        "peaks": plots.peaks(
            duration,
            limited.linear,
            limited.published,
            plots.Curve(limited.linear.times, limited.reduction),
            show.loudness.true_peak,
            limited.places,
            words,
            "peaks",
        ),
        # No words (music, or Whisper heard none) leaves every speaker at 0 s: nothing to share.
        "speakers": plots.shares(spoken.spoken_seconds, share_label, "speakers") if spoken and sum(spoken.spoken_seconds.values()) else "",
    }
    return render(
        env,
        TEMPLATE,
        show=show,
        episode=state.episode,
        levelled=levelled,
        duration=duration,
        target=target,
        figures=figures(show, levelled),
        before_integrated=measured.integrated("before"),
        limiting=limited,
        limited_seconds=int((limited.reduction > LIMITED_BY).sum() * PEAK_BIN),
        doubtful=list(heard.doubtful) if heard else None,
        speakers=spoken.spoken_seconds if spoken else {},
        unmatched=list(corrected.unmatched) if (corrected := state.results.get(Corrected)) else [],
        gate=gate_verdict(show, state),
        pictures=pictures,
        audio=audio_href(page, levelled.audio),
    )
