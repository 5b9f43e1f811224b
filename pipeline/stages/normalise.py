"""The normalise stage: clean, join or mix, trim and level an episode's recordings into a 44.1 kHz MP3.

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
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import results
from ..audio import ffmpeg, jingles
from ..audio.loudness import BLOCK_STEPS, SILENT, STEP, FrameLog, Measurement, elapsed, integrated, is_silent, meter, silences, summaries
from ..engine import Stage
from ..errors import AudioDecodeError, StageError
from ..jobs import EpisodeJob
from ..records import AudioSettings, Jingles, Loudness, Track

if TYPE_CHECKING:  # numpy is imported where it runs: 0.1 s of every `podcast status` otherwise
    import numpy as np

logger = logging.getLogger(__name__)

SAMPLE_RATE = 44100  # Apple's audio requirements: 44.1 kHz MP3
WORKING_RATE = 48000
TRANSCRIPTION_RATE = 16000  # speaker tracks are kept for Whisper, which takes 16 kHz
# What Whisper hears is set to this loudness from the programme's own measurement, never from
# the show's target: a new target then leaves it byte for byte the same (no new transcription).
SPEECH_LEVEL = -20.0
MIN_SECONDS = 1.0  # shorter than this is a mistake, not a recording
TRIM_PAD = 0.25  # seconds of silence kept before the first sound and after the last
# The leveller: at each moment, the gain that brings the voice heard around it to the loudness
# of the programme's speech. "Around it": 400 ms blocks weighed by a gaussian of 1.5 s (about
# 6 s wide, a speaker's turn); a block is speech when its true peak is over the show's silence
# threshold, so pauses and room noise are never raised for themselves. Where the window holds
# too little speech to judge (a long pause), the gain moves in a straight line between its
# neighbours. Measured on bench/montage.py's readers (fr-read, 26 LU between the quietest and
# the loudest audible one), the published range is 6 LU; on a host and a guest 20 dB apart
# taking 5 s turns, the turns come out within 0.6 LU of one another. ffmpeg's dynaudnorm, a peak
# normaliser, left the readers at 19 LU: its 18 dB of gain at most left the quiet ones 10-17 dB
# under, and with 40 dB its peak-based gain still left 12 LU. A gaussian-weighted mean of the
# blocks' loudness evened out the readers but left the 5 s turns 20 LU apart, ruled by the
# louder voice: hence the median (`_voice_loudness`).
LEVEL_SIGMA = 1.5  # seconds
LEVEL_MIN_SPEECH = 0.15  # share of the (weighed) window that must be speech for its loudness to count
LEVEL_VOICE_BAND = 10.0  # LU either side of the median: BS.1770's relative gate, both ways
LEVEL_MAX_GAIN = 24.0  # dB either way; the montage's quietest audible reader needed +22.4
LEVEL_CHUNK = 1024  # steps whose windows are sorted at once (1024 x 91 values)
LEVEL_PAD = 10.0  # seconds of gain written past the end: amultiply stops with the shorter input
TRACK_LEVEL = -23.0  # LUFS each speaker's track is set to before mixing (EBU R128's reference)
AIM = 0.3  # LU: encode again when the file lands further than this from the target (tolerance is 0.5)
MAX_ENCODES = 3  # the first is meant to be the last; the others only correct a surprise
LIMITER_ATTACK_MS = 5
LIMITER_RELEASE_MS = 50
# LAME's quality (-q) once its default has thrown true peaks over the ceiling. The default
# shapes its noise under the masking threshold, and at 64 kb/s mono, where the limiter keeps
# thousands of peaks at its threshold, that noise threw a few of them 2.5 dB higher: on the hour
# of bench/montage.py at -16 LUFS, -0.6 dBTP whatever the headroom (1.5 to 2.5 dB; -q 3 to 6
# alike). LAME's fast mode (-q 7, no noise shaping) encodes the same samples to -1.4 dBTP, keeps
# the peaks of 19 real recordings within 1.1 dB of the limiter's threshold, and takes half the
# time; its noise is not shaped, so it is only the fallback.
PEAK_SAFE_QUALITY = 7
# dB under the peak wanted where the limiter is measured: between two of them, the loudness it
# takes back is close to a straight line (on speech, the threshold read off it lands within
# 0.05 LU), so the threshold is found, not tried. Recordings with hot peaks (SPPAS readers at
# 0 dBFS) need 5-7 dB more than the peak wanted; beyond the last, a line drawn from two
# thresholds 2 dB apart missed by 0.3 LU.
LIMITS = (0.0, -2.0, -6.0)


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
        source = ffmpeg.run(["-nostats", "-f", "lavfi", "-i", tone, "-filter_complex", f"[0:a]asplit[tone][ref];[ref]{rms}[m]",
                             "-map", "[tone]", "-c:a", "libmp3lame", "-b:a", bitrate, str(encoded_file), "-map", "[m]", "-f", "null", "-"],
                            about=f"libmp3lame at {bitrate}").stderr
        encoded = ffmpeg.run(["-nostats", "-i", str(encoded_file), "-af", rms, "-f", "null", "-"], about=encoded_file).stderr
    return round(float(_RMS.search(encoded).group(1)) - float(_RMS.search(source).group(1)), 2) + 0.0  # never -0.0


@dataclass(frozen=True)
class Programme:
    """The ffmpeg inputs and filter graph that make the episode's programme, labelled [body]."""

    inputs: list[str]
    chains: list[str]  # one cleaning chain per input
    duration: float
    channels: int
    tracks: tuple[Track, ...] = ()
    gains: tuple[float, ...] = ()  # dB that levels each speaker's track
    # The leveller's gain (linear, float32) every STEP seconds from the start, when the range
    # is too wide: an input of its own, multiplied with the programme.
    levels: Path | None = None
    measured: float = 0.0  # integrated loudness of [body], LUFS, once measured

    def input_args(self) -> list[str]:
        """ffmpeg's input options: the recordings (input i is recording i), then the leveller's gain."""
        if not self.levels:
            return list(self.inputs)
        rate = f"{1 / STEP:g}"
        return [*self.inputs, "-f", "f32le", "-ar", rate, "-ac", "1", "-i", str(self.levels)]

    def graph(self, speakers: bool = False) -> str:
        """The filter graph; with `speakers`, each levelled track is also labelled [s<i>]."""
        graph = self._graph(speakers)
        if self.levels:
            index = self.inputs.count("-i")
            # The gain, upsampled (smoothly: it changes over seconds) and on every channel.
            spread = "" if self.channels == 1 else ",pan=stereo|c0=c0|c1=c0"
            gain = f"[{index}:a]aresample={WORKING_RATE}{spread}[levels]"
            graph = graph.removesuffix("[body]") + f"[wide];{gain};[wide][levels]amultiply[body]"
        return graph

    def _graph(self, speakers: bool) -> str:
        if not self.tracks:
            if len(self.chains) == 1:
                return f"{self.chains[0]}[body]"
            # A meter on each part names a silent file among several.
            metered = [f"{chain},ebur128@part{i}=framelog=quiet[q{i}]" for i, chain in enumerate(self.chains)]
            labels = "".join(f"[q{i}]" for i in range(len(self.chains)))
            return ";".join(metered) + f";{labels}concat=n={len(self.chains)}:v=0:a=1[body]"
        levelled = []
        for i, (chain, track, gain) in enumerate(zip(self.chains, self.tracks, self.gains)):
            delay = f",adelay=delays={round(track.offset * 1000)}:all=1" if track.offset else ""
            split = f",asplit=2[t{i}][s{i}]" if speakers else f"[t{i}]"
            levelled.append(f"{chain},volume={gain:.2f}dB{delay}{split}")
        labels = "".join(f"[t{i}]" for i in range(len(self.tracks)))
        mix = f"{labels}amix=inputs={len(self.tracks)}:normalize=0:duration=longest"
        if self.channels == 2:
            mix += ",aformat=channel_layouts=stereo"
        return ";".join(levelled) + f";{mix}[body]"


def _clean(index: int, layout: str, audio: AudioSettings, channel: int | None = None) -> str:
    steps = [f"[{index}:a:0]"]
    if channel is not None:
        steps.append(f"pan=mono|c0=c{channel},")
    steps.append(f"aformat=sample_fmts=fltp:sample_rates={WORKING_RATE}:channel_layouts={layout}")
    if audio.highpass:
        steps.append(f",highpass=f={audio.highpass:g}")
    if audio.denoise:
        steps.append(",afftdn=nr=12:nf=-40:tn=1")  # FFT denoiser, tracking the noise floor
    return "".join(steps)


def _inspect(path: Path) -> ffmpeg.MediaInfo:
    info = ffmpeg.probe(path)
    if 0 < info.duration < MIN_SECONDS:
        raise AudioDecodeError(f"{path}: only {info.duration:.2f} s of audio; a recording lasts at least {MIN_SECONDS:g} s")
    return info


def _inputs(paths: list[Path]) -> list[str]:
    return [arg for path in paths for arg in ("-i", str(path))]


def joined(parts: list[Path], audio: AudioSettings) -> Programme:
    """Recordings played one after the other."""
    infos = [_inspect(path) for path in parts]
    channels = audio.channels or (1 if all(i.channels == 1 for i in infos) else 2)
    layout = "mono" if channels == 1 else "stereo"
    chains = [_clean(i, layout, audio) for i in range(len(parts))]
    return Programme(_inputs(parts), chains, sum(i.duration for i in infos), channels)


def mixed(tracks: tuple[Track, ...], audio: AudioSettings) -> Programme:
    """One recording per speaker, each levelled on its own, placed at its offset and mixed."""
    infos = [_inspect(track.file) for track in tracks]
    for track, info in zip(tracks, infos):
        if track.channel is not None and info.channels < 2:
            raise AudioDecodeError(f"{track.file}: 'channels' needs a stereo recording, this one is mono")
    chains = [_clean(i, "mono", audio, track.channel) for i, track in enumerate(tracks)]
    inputs = _inputs([t.file for t in tracks])
    graph = ";".join(f"{chain},{meter(f'track{i}')}[m{i}]" for i, chain in enumerate(chains))
    outputs = [arg for i in range(len(tracks)) for arg in ("-map", f"[m{i}]", "-f", "null", "-")]
    about = ", ".join(str(t.file) for t in tracks)
    measured = summaries(ffmpeg.run(["-nostats", *inputs, "-filter_complex", graph, *outputs], about=about).stderr)
    gains = []
    for i, track in enumerate(tracks):
        loudness = measured[f"track{i}"].integrated
        if is_silent(loudness):
            raise AudioDecodeError(f"{track.file}: the track of {track.speaker} is silent")
        gains.append(TRACK_LEVEL - loudness)
    duration = max(track.offset + info.duration for track, info in zip(tracks, infos))
    return Programme(inputs, chains, duration, audio.channels or 1, tracks, tuple(gains))


def programme(parts: list[Path], tracks: tuple[Track, ...], audio: AudioSettings) -> Programme:
    return mixed(tracks, audio) if tracks else joined(parts, audio)


def trim_span(spans: list[tuple[float, float | None]], duration: float) -> tuple[float, float]:
    """Start and end of the sound between leading and trailing silence, with a little air kept."""
    start, end = 0.0, duration
    if spans and spans[0][0] <= 0.05 and spans[0][1] is not None:
        start = max(spans[0][1] - TRIM_PAD, 0.0)
    # silencedetect ends a silence that runs to the end of the stream at the stream's end.
    if spans and (spans[-1][1] is None or spans[-1][1] >= duration - 0.05) and spans[-1][0] > 0.05:
        end = min(spans[-1][0] + TRIM_PAD, duration)
    return start, max(end, start)


def _encode_args(output: Path, bitrate: str, quality: int | None = None) -> list[str]:
    """MP3 without tags (the tag stage writes them); the same encoded bytes go to the file and,
    through a pipe, to the measuring ffmpeg. `quality`: LAME's -q, None for its default."""
    codec = ["-c:a", "libmp3lame", "-b:a", bitrate, "-id3v2_version", "0", "-write_id3v1", "0", "-map_metadata", "-1"]
    if quality is not None:
        codec += ["-compression_level", str(quality)]
    return [*codec, "-f", "tee", f"[f=mp3]{_tee_escape(output)}|[f=mp3]pipe\\:1"]


def _tee_escape(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace("|", "\\|").replace(":", "\\:").replace("[", "\\[").replace("]", "\\]")


@dataclass(frozen=True)
class Extras:
    """Files made in the same ffmpeg pass as the MP3."""

    speech: Path | None = None  # the programme before any gain, 16 kHz mono: what Whisper hears
    tracks: tuple[Path, ...] = ()  # each speaker's track, likewise, on the episode's timeline
    aac: Path | None = None  # the AAC alternate


@dataclass(frozen=True)
class Plan:
    """The gains and the limiter of one encode."""

    gain: float  # dB on the programme, before the jingles join it
    limit: float | None = None  # dBFS the limiter holds peaks at; None: no limiter
    makeup: float = 0.0  # dB after the limiter: the loudness it took, given back


@dataclass(frozen=True)
class Levelling:
    """The programme as the leveller will make it, predicted from the measurements."""

    gains: np.ndarray  # dB at each STEP from the start
    integrated: float  # LUFS
    true_peak: float  # dBTP


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
    if abs(target - final.integrated) > loudness.tolerance or final.true_peak > loudness.true_peak:
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
                    curve = _limiter_curve(self.show, gain, self.span, self.ready, self.fade, limits, self.about)
                plan = _limited(curve, gain, level, peak)
            measured = _encode(self.show, plan, self.span, self.ready, self.fade, self.bitrate,
                               codec_gain(self.bitrate, self.show.channels), self.output, self.extras, self.about, quality)
            history.append(Encode(plan, quality, measured))
            off = target - measured.integrated
            over = measured.true_peak - ceiling
            if abs(off) <= AIM and over <= 0:
                break
            # Not expected: the MP3 encoder did more to the loudness or the peaks than measured
            # on speech (synthetic noise does that). The curve still says where to go.
            logger.info("%s: encoded at %.1f LUFS / %.1f dBTP, aiming for %g LUFS / ≤ %g dBTP; encoding again",
                        self.about, measured.integrated, measured.true_peak, target, ceiling)
            if over > 0 and quality is None:
                quality = PEAK_SAFE_QUALITY
            elif over > 0:
                # Lower the threshold twice as far as the peaks went over: behind a limiter
                # working harder, the MP3's peaks come down by about half as much (the noise of
                # tests/test_audio.py's synthetic speech: 0.3 dB for 0.5 dB).
                margin += 2 * over + 0.1
            level += off
        return history


def _report(history: list[Encode], body: Body, encoder: Encoder, target: float, duration: float) -> Normalised:
    """What the normalise stage says of the episode: the final encode's figures and how it got there."""
    from mutagen.mp3 import MP3

    final, plan, show = history[-1].measured, history[-1].plan, encoder.show
    limited = plan.limit is not None and body.true_peak + plan.gain > plan.limit
    if limited:
        logger.info("%s: a linear gain would clip; peaks limited by %.1f dB, %.1f dB given back after",
                    encoder.about, body.true_peak + plan.gain - plan.limit, plan.makeup)
    return Normalised(
        integrated=final.integrated, true_peak=final.true_peak, lra=final.lra,
        duration=round(MP3(encoder.output).info.length, 3), bitrate=encoder.bitrate, limited=limited,
        speakers=tuple(t.speaker for t in show.tracks),
        report=results.LevelReport(
            target=target, channels=show.channels,
            input_integrated=round(body.integrated, 2), input_true_peak=round(body.true_peak, 2),
            gain=round(plan.gain + plan.makeup, 2), levelled_range=body.levelled_range, encodes=len(history),
            mp3_quality=history[-1].quality, trimmed=(round(encoder.span[0], 3), round(duration - encoder.span[1], 3)),
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


def leveller(momentary: np.ndarray, true_peak: np.ndarray, floor: float) -> Levelling:
    """The leveller's gain at each STEP, from the programme's 100 ms measurements (`FrameLog`).

    Args:
        momentary: loudness (LUFS) of the 400 ms block ending at each step.
        true_peak: true peak (dBTP) of the 100 ms ending at each step.
        floor: dBFS under which a block's peak is silence (the show's silence threshold).
    """
    import numpy as np

    steps = len(momentary)
    # A block is speech when it is loud enough to gate and its peak is over the silence floor.
    block_peak = np.maximum.reduce([np.concatenate([np.full(k, -np.inf), true_peak[: steps - k]]) for k in range(BLOCK_STEPS)])
    speech = (momentary > SILENT) & (block_peak > floor)
    if not speech.any():
        return Levelling(np.zeros(steps), integrated(momentary), float(np.nanmax(true_peak)))
    reach = round(3 * LEVEL_SIGMA / STEP)
    window = np.exp(-0.5 * (np.arange(-reach, reach + 1) * STEP / LEVEL_SIGMA) ** 2)
    # Each step's row holds the blocks around it (NaN where not speech); rows are taken a chunk at
    # a time, so memory does not grow with the programme.
    padded = np.pad(np.where(speech, momentary, np.nan), reach, constant_values=np.nan)
    voice = np.empty(steps)
    for start in range(0, steps, LEVEL_CHUNK):
        rows = np.lib.stride_tricks.sliding_window_view(padded[start : min(start + LEVEL_CHUNK, steps) + 2 * reach], 2 * reach + 1)
        voice[start : start + len(rows)] = _voice_loudness(rows, window)
    judged = ~np.isnan(voice)
    if not judged.any():  # too little speech anywhere to tell loud from quiet: leave it as it is
        gains = np.zeros(steps)
    else:
        own = integrated(momentary[speech])  # the loudness of all the programme's speech
        index = np.arange(steps)
        gains = np.clip(own - np.interp(index, index[judged], voice[judged]), -LEVEL_MAX_GAIN, LEVEL_MAX_GAIN)
    # Block i ends at (i + 1) * STEP: its middle, where its gain applies, is (i - 1) * STEP.
    at_steps = np.concatenate([gains[1:], gains[-1:]])
    # Step j's peak lies in the 100 ms ending at (j + 1) * STEP, between two gain steps.
    peaks = true_peak + np.maximum(at_steps, np.concatenate([at_steps[1:], at_steps[-1:]]))
    return Levelling(at_steps, integrated(momentary + gains), float(np.nanmax(peaks)))


def _voice_loudness(rows: np.ndarray, window: np.ndarray) -> np.ndarray:
    """The loudness (LUFS) of the voice around each step, NaN where too little speech is heard.

    `rows[i]` holds the loudness of the blocks around step i, NaN for those that are not speech,
    weighed by `window`. Their weighted median is the voice that holds most of the window: in a
    conversation, a mean is ruled by the louder voice. The blocks within
    LEVEL_VOICE_BAND of it are then averaged as BS.1770 averages them (their power); the faded
    ends of words and the other voice are left out.
    """
    import numpy as np

    weights = np.where(np.isnan(rows), 0.0, window)
    total = weights.sum(axis=1)
    order = np.argsort(np.where(np.isnan(rows), np.inf, rows), axis=1)
    ranked = np.take_along_axis(rows, order, axis=1)
    cumulative = np.cumsum(np.take_along_axis(weights, order, axis=1), axis=1)
    median = np.take_along_axis(ranked, np.argmax(cumulative >= total[:, None] / 2, axis=1)[:, None], axis=1)[:, 0]
    near = np.where(np.abs(rows - median[:, None]) <= LEVEL_VOICE_BAND, weights, 0.0)
    power = np.where(near > 0, 10 ** (np.nan_to_num(rows, nan=SILENT) / 10), 0.0)
    heard = total >= LEVEL_MIN_SPEECH * window.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(heard, 10 * np.log10((near * power).sum(axis=1) / near.sum(axis=1)), np.nan)


def _limiter(limit: float) -> str:
    # A target out of reach (peaks far under the loudness asked for) reads a threshold off the
    # curve below the lowest alimiter takes (0.0625, -24 dBFS), which ffmpeg refuses with an
    # error about the recording; held there, the encode misses and is refused for what it is.
    level = max(10 ** (limit / 20), 0.0625)
    return f"alimiter=limit={level:.5f}:attack={LIMITER_ATTACK_MS}:release={LIMITER_RELEASE_MS}:level=false:latency=true"


def _limiter_curve(
    show: Programme,
    gain: float,
    span: tuple[float, float],
    ready: dict[str, Path],
    fade: float,
    limits: tuple[float, ...],
    about: str,
) -> list[tuple[float, float]]:
    """(threshold dBFS, integrated LUFS) of the programme at `gain`, limited at each of `limits`:
    what the limiter takes back, measured in one pass before anything is encoded.

    No true-peak meter: what the limiter lets through between samples (up to 0.7 dB on the
    montage's hour) is in the margin kept under the ceiling, with what MP3 adds, and a meter
    with 4x oversampling on each threshold would cost as much as the rest of the pass.
    """
    inputs, graph, current, _ = _shaped(show, gain, span, ready, fade, speakers=False)
    graph.append("[unlevelled]anullsink")
    graph.append(f"[{current}]aresample={SAMPLE_RATE},asplit={len(limits)}" + "".join(f"[l{i}]" for i in range(len(limits))))
    outputs = []
    logs = [FrameLog(f"limited{i}") for i in range(len(limits))]
    for i, limit in enumerate(limits):
        # Its blocks, not its summary: the summary's one decimal is too coarse to draw a line through.
        graph.append(f"[l{i}]{_limiter(limit)},ebur128@limited{i}=framelog=info[m{i}]")
        outputs += ["-map", f"[m{i}]", "-f", "null", "-"]
    args = ["-nostats", *inputs, "-filter_complex", ";".join(graph), *outputs]
    ffmpeg.run_logged(args, about, lambda line: any(log.take(line) for log in logs))
    return [(limit, integrated(log.momentary)) for limit, log in zip(limits, logs)]


def _limited(curve: list[tuple[float, float]], gain: float, level: float, peak: float) -> Plan:
    """The threshold and make-up gain that bring the limited programme to `level` LUFS with its
    peaks at `peak` dBFS.

    Limited at T, the programme measures I(T) and peaks at T; the make-up gain (level - I(T))
    lifts both, so the peaks land at T - I(T) + level. T - I(T) falls with T, close to a
    straight line between two measured thresholds: the T where it equals peak - level is read
    off the line between the two around it (beyond the lowest, the last line is followed).
    """
    wanted = peak - level
    (high, loud_high), *_ = curve
    if high - loud_high <= wanted:  # held at the ceiling itself, the peaks leave room: nothing to find
        return Plan(gain, high, level - loud_high)
    for (high, loud_high), (low, loud_low) in zip(curve, curve[1:]):
        if low - loud_low <= wanted:
            break
    slope = min(max(((high - loud_high) - (low - loud_low)) / (high - low), 0.2), 1.0)
    limit = low + (wanted - (low - loud_low)) / slope
    loudness_at = loud_low + (limit - low) * (loud_high - loud_low) / (high - low)
    return Plan(gain, limit, level - loudness_at)


def _trim(span: tuple[float, float]) -> str:
    start, end = span
    return f"atrim=start={start:.3f}:end={end:.3f},asetpts=PTS-STARTPTS"


def _shaped(
    show: Programme, gain: float, span: tuple[float, float], ready: dict[str, Path], fade: float, speakers: bool
) -> tuple[list[str], list[str], str, float]:
    """The ffmpeg inputs and graph up to the limiter: the programme trimmed, at `gain`, with its
    jingles. Returns them, the label of that point, and the seconds the intro adds before the
    programme; the programme before the gain is labelled [unlevelled]."""
    layout = "mono" if show.channels == 1 else "stereo"
    inputs = show.input_args()
    graph = [show.graph(speakers=speakers)]
    graph.append(f"[body]{_trim(span)},asplit=2[trimmed][unlevelled]")
    graph.append(f"[trimmed]volume={gain:.2f}dB[lev]")
    current = "lev"
    lead = 0.0  # seconds the intro adds before the programme
    for kind in ("intro", "outro"):
        if kind not in ready:
            continue
        index = inputs.count("-i")
        inputs += ["-i", str(ready[kind])]
        graph.append(f"[{index}:a:0]aformat=sample_fmts=fltp:sample_rates={WORKING_RATE}:channel_layouts={layout}[{kind}]")
        pair = f"[{kind}][{current}]" if kind == "intro" else f"[{current}][{kind}]"
        graph.append(f"{pair}acrossfade=d={fade:g}:c1=tri:c2=tri[with_{kind}]")
        current = f"with_{kind}"
        if kind == "intro":
            lead = ffmpeg.probe(ready[kind]).duration - fade
    return inputs, graph, current, lead


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
    inputs, graph, current, lead = _shaped(show, plan.gain, span, ready, fade, speakers=bool(extras.tracks))
    tail = f"[{current}]aresample={SAMPLE_RATE}"
    if plan.limit is not None:
        tail += f",{_limiter(plan.limit)}"
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
        graph.append(f"[s{i}]{_trim(span)},{speech}[s{i}out]")
        outputs += ["-map", f"[s{i}out]", "-c:a", "flac", "-sample_fmt", "s16", "-f", "flac", str(path)]
    args = ["-nostats", *inputs, "-filter_complex", ";".join(graph), "-map", "[out]", *_encode_args(output, bitrate, quality), *outputs]
    _, log = ffmpeg.run_piped(args, ["-nostats", "-f", "mp3", "-i", "pipe:0", "-filter_complex", meter("encoded"), "-f", "null", "-"], about)
    return summaries(log)["encoded"]


def episode_jingles(job: EpisodeJob) -> Jingles | None:
    """The show's intro and outro when this episode takes them (full episodes that did not opt out)."""
    wanted = job.episode.jingles and job.episode.type == "full"
    show = job.show.jingles
    return show if wanted and (show.intro or show.outro) else None


class Normalise(Stage):
    name = "normalise"
    version = 4
    result = results.Levelled

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        episode = job.episode
        return {
            "loudness": job.show.loudness.to_dict(),
            "audio": job.show.audio.to_dict(),
            "tracks": [{"speaker": t.speaker, "offset": t.offset, "channel": t.channel} for t in episode.tracks],
            "jingles": episode_jingles(job) is not None and job.show.jingles.crossfade,
            "ffmpeg": ffmpeg.version(),
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        files = {f"recording{i}": path for i, path in enumerate(job.episode.recordings)}
        jingle_set = episode_jingles(job)
        if jingle_set:
            files.update({kind: getattr(jingle_set, kind) for kind in ("intro", "outro") if getattr(jingle_set, kind)})
        return files

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        files = {"audio": job.cache / "levelled.mp3", "speech": job.cache / "speech.flac"}
        if job.show.audio.aac:
            files["aac"] = job.cache / "levelled.m4a"
        for i, _track in enumerate(job.episode.tracks):
            files[f"track{i}"] = job.cache / f"track{i}.flac"
        return files

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> results.Levelled:
        work = job.cache / "work"
        try:
            data = normalise(
                list(job.episode.audio),
                out["audio"],
                job.show.loudness,
                job.show.audio,
                tracks=job.episode.tracks,
                intro_outro=episode_jingles(job),
                work=work,
                extras=Extras(
                    speech=out["speech"],
                    tracks=tuple(out[f"track{i}"] for i in range(len(job.episode.tracks))),
                    aac=out.get("aac"),
                ),
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        logger.info("%s: %.1f LUFS, %.1f dBTP", job.episode.slug, data.integrated, data.true_peak)
        return results.Levelled(
            audio=out["audio"], speech=out["speech"], aac=out.get("aac"),
            tracks=tuple(out[f"track{i}"] for i in range(len(job.episode.tracks))), speakers=data.speakers,
            duration=data.duration, bitrate=data.bitrate, integrated=data.integrated, true_peak=data.true_peak,
            lra=data.lra, limited=data.limited, report=data.report,
        )
