"""An episode's recordings made into its MP3 at the show's loudness: clean, join or mix, trim,
level, limit and encode at 44.1 kHz.

Everything streams through ffmpeg, so memory does not grow with an episode's length:
1. (multitrack only) measure each speaker's track, to level each on its own before mixing;
2. measure the joined or mixed programme (EBU R128 loudness every 100 ms, true peak) and find
   its silent edges. A programme whose loudness range exceeds the show's `lra` (a quiet guest
   and a loud host) is evened out by a gain that follows the loudness of its speech, computed
   here from those measurements and applied by ffmpeg: what it changes is known before encoding;
3. when one gain to the target would push peaks over the ceiling (or jingles are added), measure
   in one pass what a limiter at three thresholds takes back, and choose the threshold and the
   make-up gain after it that land the loudness on the target and the peaks under the ceiling;
4. trim, apply the gains, add the jingles, limit, encode once, and measure the encoded bytes
   while they are written. That measurement confirms; another encode is the fallback for what
   only encoding shows (MP3's own true peaks).

Why not loudnorm's own second pass: when its linear mode would clip, it silently switches to
dynamic mode and misses the target (a -30 LUFS input landed at -16.6 LUFS here).
"""

from __future__ import annotations

import functools
import logging
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from .. import results
from ..errors import AudioDecodeError, StageError
from ..records import AudioSettings, Jingles, Loudness, Track
from . import ffmpeg, jingles
from .level import LEVEL_PAD, LIMITS, Plan, leveller, limiter, limiter_curve, limiter_plan
from .loudness import STEP, FrameLog, Measurement, elapsed, integrated, is_silent, meter, off_target, silences, summaries
from .programme import SAMPLE_RATE, WORKING_RATE, Programme, programme, shaped, trim_filter, trim_span

logger = logging.getLogger(__name__)

TRANSCRIPTION_RATE = 16000  # speaker tracks are kept for Whisper, which takes 16 kHz
# What Whisper hears is set to this loudness from the programme's own measurement, never from
# the show's target: a new target then leaves it byte for byte the same (no new transcription).
SPEECH_LEVEL = -20.0
AIM = 0.3  # LU: encode again when the file lands further than this from the target (tolerance is 0.5)
MAX_ENCODES = 3  # the first is meant to be the last; the others only correct a surprise
# LAME's quality (-q) once its default has thrown true peaks over the ceiling. The default
# shapes its noise under the masking threshold, and at 64 kb/s mono, where the limiter keeps
# thousands of peaks at its threshold, that noise threw a few of them 2.5 dB higher: on the hour
# of bench/montage.py at -16 LUFS, -0.6 dBTP whatever the headroom (1.5 to 2.5 dB; -q 3 to 6
# alike). LAME's fast mode (-q 7, no noise shaping) encodes the same samples to -1.4 dBTP, keeps
# the peaks of 19 real recordings within 1.1 dB of the limiter's threshold, and takes half the
# time; its noise is not shaped, so it is only the fallback.
PEAK_SAFE_QUALITY = 7


def peak_margin(bitrate: str, channels: int) -> float:
    """dB kept under the ceiling before encoding: the limiter holds samples, not the true peaks
    between them, and MP3 raises true peaks further (more behind a limiter working harder).

    Measured with these margins on 17 recordings of real speech (../shared/eval/fr-read, the
    montage of bench/montage.py, the trailer, tests/data) at -16 and -19 LUFS: mono MP3s rose
    up to 1.7 dB over the limiter's threshold at 64 kb/s (one reader of 17, at -16 LUFS: it is
    then encoded again; the others 1.3 dB at most), 1.0 dB at 96 and 128 kb/s; stereo ones up
    to 0.7 dB at 96 kb/s and 0.4 dB at 128 kb/s.
    """
    if channels == 1:
        return 1.5
    return 0.8 if int(bitrate.rstrip("k")) <= 96 else 0.7


_RMS = re.compile(r"RMS level dB: (-?[\d.]+)")


@functools.cache
def codec_gain(bitrate: str, channels: int) -> float:
    """dB by which libmp3lame changes the level of what it encodes, measured on a tone.

    LAME scales its input by 0.95 (-0.45 dB) at the bitrates its presets give a `scale` for,
    all but 320 kb/s (lame's presets.c): unaccounted for, every file lands 0.45 LU under its
    target. Measured rather than assumed, as PODCAST_FFMPEG may bring another LAME.
    """
    layout = "mono" if channels == 1 else "stereo"
    tone = f"sine=frequency=997:sample_rate={SAMPLE_RATE}:duration=3,aformat=channel_layouts={layout}"
    rms = "atrim=start=1:end=2,astats=measure_perchannel=none:measure_overall=RMS_level"
    with tempfile.TemporaryDirectory() as folder:
        encoded_file = Path(folder) / "tone.mp3"
        source = ffmpeg.run(
            [
                "-nostats",
                "-f",
                "lavfi",
                "-i",
                tone,
                "-filter_complex",
                f"[0:a]asplit[tone][ref];[ref]{rms}[m]",
                "-map",
                "[tone]",
                "-c:a",
                "libmp3lame",
                "-b:a",
                bitrate,
                str(encoded_file),
                "-map",
                "[m]",
                "-f",
                "null",
                "-",
            ],
            about=f"libmp3lame at {bitrate}",
        ).stderr
        encoded = ffmpeg.run(["-nostats", "-i", str(encoded_file), "-af", rms, "-f", "null", "-"], about=encoded_file).stderr
    return round(_rms(encoded, encoded_file) - _rms(source, bitrate), 2) + 0.0  # never -0.0


def _rms(stderr: str, about: Path | str) -> float:
    found = _RMS.search(stderr)
    if found is None:
        raise StageError(f"{about}: ffmpeg's astats gave no RMS level")
    return float(found.group(1))


def _encode_args(output: Path, bitrate: str, quality: int | None = None) -> list[str]:
    """MP3 without tags (the tag stage writes them); the same encoded bytes go to the file and,
    through a pipe, to the measuring ffmpeg. `quality`: LAME's -q, None for its default."""
    codec = ["-c:a", "libmp3lame", "-b:a", bitrate, "-map_metadata", "-1"]
    if quality is not None:
        codec += ["-compression_level", str(quality)]
    # The MP3 muxer's options go inside each of tee's outputs: given to tee itself, they were
    # ignored without a word, and every MP3 began with an ID3v2.4 tag naming ffmpeg.
    mp3 = "f=mp3:id3v2_version=0:write_id3v1=0"
    return [*codec, "-f", "tee", f"[{mp3}]{_tee_escape(output)}|[{mp3}]pipe\\:1"]


def _tee_escape(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace("|", "\\|").replace(":", "\\:").replace("[", "\\[").replace("]", "\\]")


@dataclass(frozen=True)
class Extras:
    """Files made in the same ffmpeg pass as the MP3."""

    speech: Path | None = None  # the programme before any gain, 16 kHz mono: what Whisper hears
    tracks: tuple[Path, ...] = ()  # each speaker's track, likewise, on the episode's timeline
    aac: Path | None = None  # the AAC alternate


@dataclass(frozen=True)
class Body:
    """The programme's loudness an encode starts from: as measured, or as the leveller will make it."""

    integrated: float  # LUFS
    true_peak: float  # dBTP
    levelled_range: float | None = None  # LU it spanned before the leveller evened it; None: not levelled


@dataclass(frozen=True)
class Encode:
    """One encode: its plan, LAME's quality, and what the MP3 measured."""

    plan: Plan
    quality: int | None
    measured: Measurement


@dataclass(frozen=True)
class Normalised:
    """What `normalise` made: the MP3's figures, and how it got there."""

    integrated: float  # LUFS, measured on the MP3
    true_peak: float  # dBTP
    lra: float  # LU
    duration: float  # seconds, of the MP3
    bitrate: str
    limited: bool  # a limiter held the peaks
    speakers: tuple[str, ...]  # whose voice each track is, on multitrack episodes
    report: results.LevelReport


def normalise(
    parts: list[Path],
    output: Path,
    loudness: Loudness,
    audio: AudioSettings = AudioSettings(),
    tracks: tuple[Track, ...] = (),
    intro_outro: Jingles | None = None,
    work: Path | None = None,
    extras: Extras = Extras(),
) -> Normalised:
    """Make the episode's MP3 at `output` and return what was measured on the encoded file.

    Raises:
        AudioDecodeError: a recording is empty, unreadable, too short or silent.
        StageError: the encoded file cannot be brought within tolerance of the target.
    """
    show = programme(parts, tracks, audio)
    about = ", ".join(str(p) for p in (parts or [t.file for t in tracks]))
    bitrate = audio.bitrate_mono if show.channels == 1 else audio.bitrate_stereo
    target = loudness.target_for(show.channels)
    levels = output.with_name(f".{output.name.lstrip('.')}.levels")  # the leveller's gain, if it is needed
    try:
        show, body, span, duration = _measure(show, parts, audio, loudness, levels, about)
        use_jingles = intro_outro or Jingles()
        ready = {}
        for kind in ("intro", "outro"):
            source = getattr(use_jingles, kind)
            if source:
                ready[kind] = jingles.prepare(source, work or output.parent, target, show.channels, WORKING_RATE, audio.silence_threshold)
        encoder = Encoder(show, span, ready, use_jingles.crossfade, bitrate, output, extras, about)
        history = encoder.to_target(body, target, loudness.true_peak)
    finally:
        levels.unlink(missing_ok=True)
    final = history[-1].measured
    if off_target(final.integrated, target) > loudness.tolerance or final.true_peak > loudness.true_peak:
        raise StageError(
            f"{about}: levelled to {final.integrated:.1f} LUFS / {final.true_peak:.1f} dBTP, "
            f"outside the target {target:g} ± {loudness.tolerance:g} LUFS, ≤ {loudness.true_peak:g} dBTP"
        )
    if final.lra > loudness.lra:
        logger.warning("%s: loudness range %.1f LU, over the %g LU aimed for", about, final.lra, loudness.lra)
    return _report(history, body, encoder, target, duration)


@dataclass(frozen=True)
class Encoder:
    """Everything an encode of this episode needs but the gain plan."""

    show: Programme
    span: tuple[float, float]  # the part kept once silence is trimmed
    ready: dict[str, Path]  # jingles, prepared
    fade: float
    bitrate: str
    output: Path
    extras: Extras
    about: str

    def to_target(self, body: Body, target: float, ceiling: float) -> list[Encode]:
        """Encode with the gain (and limiter) planned from the measurements; encode again only
        when the MP3 lands off target or over the ceiling. Each encode's plan and measurements."""
        margin = peak_margin(self.bitrate, self.show.channels)
        gain = target - body.integrated
        curve: list[tuple[float, float]] | None = None
        level = target  # where the samples are set; moved only when an encode lands elsewhere
        quality: int | None = None  # LAME's own, unless its peaks went over
        history: list[Encode] = []
        for _ in range(MAX_ENCODES):
            peak = ceiling - margin
            # Linear gain when it keeps the peaks under the ceiling; otherwise (and always with
            # jingles, whose music peaks are not measured here) a limiter holds them.
            if curve is None and not self.ready and body.true_peak + gain + level - target <= peak:
                plan = Plan(gain + level - target)
            else:
                if curve is None:
                    limits = tuple(peak + step for step in LIMITS)
                    curve = limiter_curve(self.show, gain, self.span, self.ready, self.fade, limits, self.about)
                plan = limiter_plan(curve, gain, level, peak)
            measured = _encode(
                self.show,
                plan,
                self.span,
                self.ready,
                self.fade,
                self.bitrate,
                codec_gain(self.bitrate, self.show.channels),
                self.output,
                self.extras,
                self.about,
                quality,
            )
            history.append(Encode(plan, quality, measured))
            off = target - measured.integrated
            over = measured.true_peak - ceiling
            if off_target(measured.integrated, target) <= AIM and over <= 0:
                break
            # Not expected: the MP3 encoder did more to the loudness or the peaks than measured
            # on speech (synthetic noise does that). The curve still says where to go.
            logger.info(
                "%s: encoded at %.1f LUFS / %.1f dBTP, aiming for %g LUFS / ≤ %g dBTP; encoding again",
                self.about,
                measured.integrated,
                measured.true_peak,
                target,
                ceiling,
            )
            if over > 0 and quality is None:
                quality = PEAK_SAFE_QUALITY
            elif over > 0:
                # Lower the threshold twice as far as the peaks went over: behind a limiter
                # working harder, the MP3's peaks come down by about half as much (the noise of
                # tests/audio/test_audio.py's synthetic speech: 0.3 dB for 0.5 dB).
                margin += 2 * over + 0.1
            level += off
        return history


def mp3_length(path: Path) -> float:
    """An MP3's duration in seconds, as players read it (mutagen, from its LAME header)."""
    from mutagen.mp3 import MP3, MPEGInfo

    # mutagen's types give its base class `info = None`; an MP3 it could open always has one.
    return cast(MPEGInfo, MP3(path).info).length


def _report(history: list[Encode], body: Body, encoder: Encoder, target: float, duration: float) -> Normalised:
    """What the normalise stage says of the episode: the final encode's figures and how it got there."""
    final, plan, show = history[-1].measured, history[-1].plan, encoder.show
    limited = False
    if plan.limit is not None and body.true_peak + plan.gain > plan.limit:
        limited = True
        logger.info(
            "%s: a linear gain would clip; peaks limited by %.1f dB, %.1f dB given back after",
            encoder.about,
            body.true_peak + plan.gain - plan.limit,
            plan.makeup,
        )
    return Normalised(
        integrated=final.integrated,
        true_peak=final.true_peak,
        lra=final.lra,
        duration=round(mp3_length(encoder.output), 3),
        bitrate=encoder.bitrate,
        limited=limited,
        speakers=tuple(t.speaker for t in show.tracks),
        report=results.LevelReport(
            target=target,
            channels=show.channels,
            input_integrated=round(body.integrated, 2),
            input_true_peak=round(body.true_peak, 2),
            gain=round(plan.gain + plan.makeup, 2),
            levelled_range=body.levelled_range,
            encodes=len(history),
            mp3_quality=history[-1].quality,
            trimmed=(round(encoder.span[0], 3), round(duration - encoder.span[1], 3)),
        ),
    )


_DAMAGE = re.compile(r"^\[(?:in|aist)#(\d+)\S* @ [^\]]+\].*(corrupt|Invalid data|Error submitting packet|error while decoding)", re.MULTILINE | re.IGNORECASE)


def _damaged(stderr: str, show: Programme, decoded: float | None, about: str) -> AudioDecodeError | None:
    """A recording ffmpeg could only partly decode: cut short by a copy, or corrupt inside.

    ffmpeg goes on after such errors and would publish what it could read, without a word.
    """
    found = _DAMAGE.search(stderr)
    files = show.inputs[1::2]  # "-i", path, "-i", path...
    if found:
        index = int(found.group(1))
        name = files[index] if index < len(files) else about
        return AudioDecodeError(f"{name}: the file is damaged (was it cut short while copying?): {found.group(0).split('] ')[-1]}")
    if decoded is not None and show.duration - decoded > max(1.0, 0.02 * show.duration):
        return AudioDecodeError(f"{about}: only {decoded:.1f} s of the {show.duration:.1f} s announced could be decoded (was a file cut short?)")
    return None


def _measure(
    show: Programme, parts: list[Path], audio: AudioSettings, loudness: Loudness, levels: Path, about: str
) -> tuple[Programme, Body, tuple[float, float], float]:
    """Measure the programme; returns it (with the leveller's gain written to `levels` when its
    range is too wide), its loudness, the span between its silent edges, and its decoded duration."""
    import numpy as np

    detect = f"silencedetect=n={audio.silence_threshold:g}dB:d={audio.silence_min:g}," if audio.trim_silence else ""
    # Measured at the published rate: what resampling takes (sound over 22 kHz) is not counted.
    graph = f"{show.graph()};[body]{detect}aresample={SAMPLE_RATE},{meter('body', framelog=True)}[m]"
    log = FrameLog("body")
    args = ["-stats_period", "3600", *show.input_args(), "-filter_complex", graph, "-map", "[m]", "-f", "null", "-"]
    first = ffmpeg.run_logged(args, about, log.take)
    found = summaries(first.stderr)
    for name, values in found.items():
        if name.startswith("part") and is_silent(values.integrated):
            raise AudioDecodeError(f"{parts[int(name[4:])]}: the recording is silent")
    # The integrated loudness from the blocks: to a hundredth, where the summary gives a tenth.
    measured = found["body"]
    body = Body(integrated(log.momentary), measured.true_peak)
    if is_silent(body.integrated):
        raise AudioDecodeError(f"{about}: the recording is silent (below -70 LUFS)")
    decoded = elapsed(first.stderr)
    damage = _damaged(first.stderr, show, decoded, about)
    if damage:
        raise damage
    duration = decoded or show.duration  # what was decoded, not what headers claim
    span = trim_span(silences(first.stderr), duration) if audio.trim_silence else (0.0, duration)
    if measured.lra > loudness.lra:
        # Passages far louder or quieter than the rest: even them out.
        levelled = leveller(log.momentary, log.true_peak, audio.silence_threshold)
        padded = np.concatenate([levelled.gains, np.full(round(LEVEL_PAD / STEP), levelled.gains[-1])])
        (10 ** (padded / 20)).astype("<f4").tofile(levels)
        show = replace(show, levels=levels)
        logger.info("%s: loudness range %.1f LU over the %.1f LU aimed for; levelled", about, measured.lra, loudness.lra)
        body = Body(levelled.integrated, levelled.true_peak, levelled_range=measured.lra)
    # To a tenth, as the summary gave it before: what Whisper hears of a programme that needs no
    # levelling stays the same bytes, and is not transcribed again.
    return replace(show, measured=round(body.integrated, 1)), body, span, duration


def _encode(
    show: Programme,
    plan: Plan,
    span: tuple[float, float],
    ready: dict[str, Path],
    fade: float,
    bitrate: str,
    codec: float,
    output: Path,
    extras: Extras,
    about: str,
    quality: int | None = None,
) -> Measurement:
    inputs, graph, current, lead = shaped(show, plan.gain, span, ready, fade, speakers=bool(extras.tracks))
    tail = f"[{current}]aresample={SAMPLE_RATE}"
    if plan.limit is not None:
        tail += f",{limiter(plan.limit)}"
    if plan.makeup:
        tail += f",volume={plan.makeup:.2f}dB"
    # The MP3 only: given what LAME will take, so that the file, not the samples, is on target.
    to_mp3 = f"volume={-codec:.2f}dB" if codec else "anull"
    outputs: list[str] = []
    if extras.aac:
        graph.append(f"{tail},asplit=2[mp3][aac]")
        graph.append(f"[mp3]{to_mp3}[out]")
        outputs += ["-map", "[aac]", "-c:a", "aac", "-b:a", bitrate, "-movflags", "+faststart", "-f", "ipod", str(extras.aac)]
    else:
        graph.append(f"{tail},{to_mp3}[out]")
    # What transcription hears sits on the episode's timeline (after the intro) and does not
    # depend on the loudness target, so a new target does not make Whisper run again.
    delay = f",adelay=delays={round(lead * 1000)}:all=1" if lead > 0 else ""
    speech = f"aformat=channel_layouts=mono{delay},aresample={TRANSCRIPTION_RATE}"
    if extras.speech:
        to_level = SPEECH_LEVEL - show.measured
        graph.append(f"[unlevelled]volume={to_level:.2f}dB,alimiter=limit=0.9:level=false,{speech}[speech]")
        outputs += ["-map", "[speech]", "-c:a", "flac", "-sample_fmt", "s16", "-f", "flac", str(extras.speech)]
    else:
        graph.append("[unlevelled]anullsink")
    for i, path in enumerate(extras.tracks):
        graph.append(f"[s{i}]{trim_filter(span)},{speech}[s{i}out]")
        outputs += ["-map", f"[s{i}out]", "-c:a", "flac", "-sample_fmt", "s16", "-f", "flac", str(path)]
    args = ["-nostats", *inputs, "-filter_complex", ";".join(graph), "-map", "[out]", *_encode_args(output, bitrate, quality), *outputs]
    _, log = ffmpeg.run_piped(args, ["-nostats", "-f", "mp3", "-i", "pipe:0", "-filter_complex", meter("encoded"), "-f", "null", "-"], about)
    return summaries(log)["encoded"]
