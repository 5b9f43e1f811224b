"""Stage 1: clean, join or mix, trim and level an episode's recordings into a 44.1 kHz MP3.

Everything streams through ffmpeg, so memory does not grow with an episode's length:
1. (multitrack only) measure each speaker's track, to level each on its own before mixing;
2. measure the joined or mixed programme (EBU R128 loudness, true peak) and find its silent edges;
3. trim, apply one gain to reach the target, add the jingles, limit peaks only if that gain
   would push them over the ceiling, encode, and measure the encoded bytes while they are
   written. A programme whose loudness range exceeds the show's `lra` is first evened out
   by ffmpeg's dynamic normaliser. When the encoded file lands off target (limiting costs
   loudness, MP3 raises peaks), correct and encode again.

Why not loudnorm's own second pass: when its linear mode would clip, it silently switches to
dynamic mode and misses the target (a -30 LUFS input landed at -16.6 LUFS here).
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import ffmpeg, jingles
from .engine import Stage
from .errors import AudioDecodeError, StageError
from .jobs import EpisodeJob
from .loudness import elapsed, is_silent, meter, silences, summaries
from .records import AudioSettings, Jingles, Loudness, Track

logger = logging.getLogger(__name__)

SAMPLE_RATE = 44100  # Apple's audio requirements: 44.1 kHz MP3
WORKING_RATE = 48000
TRANSCRIPTION_RATE = 16000  # speaker tracks are kept for Whisper, which takes 16 kHz
# What Whisper hears is set to this loudness from the programme's own measurement, never from
# the show's target: a new target then leaves it byte for byte the same (no new transcription).
SPEECH_LEVEL = -20.0
MIN_SECONDS = 1.0  # shorter than this is a mistake, not a recording
TRIM_PAD = 0.25  # seconds of silence kept before the first sound and after the last
# ffmpeg's dynamic audio normalizer: gain follows a gaussian over 15 frames of 250 ms (about
# 4 s, a speaker's turn: its default 15 s window left a host/guest alternation as wide as it
# was), at most 8x (18 dB), and frames under -50 dBFS (pauses, room noise) are left alone.
LEVELER = "dynaudnorm=f=250:g=15:p=0.95:m=8:t=0.003"
TRACK_LEVEL = -23.0  # LUFS each speaker's track is set to before mixing (EBU R128's reference)
AIM = 0.3  # LU: encode again when the file lands further than this from the target (tolerance is 0.5)
MAX_ENCODES = 3
LIMITER_ATTACK_MS = 5
LIMITER_RELEASE_MS = 50


def peak_margin(bitrate: str) -> float:
    """dB kept under the ceiling before encoding: MP3 raises true peaks, more at low bitrates.

    Measured here: a 64 kb/s mono file aimed at -1.5 dBTP came out at -1.2 dBTP.
    """
    kbps = int(bitrate.rstrip("k"))
    return 1.5 if kbps <= 64 else 1.0 if kbps <= 96 else 0.7


@dataclass(frozen=True)
class Programme:
    """The ffmpeg inputs and filter graph that make the episode's programme, labelled [body]."""

    inputs: list[str]
    chains: list[str]  # one cleaning chain per input
    duration: float
    channels: int
    tracks: tuple[Track, ...] = ()
    gains: tuple[float, ...] = ()  # dB that levels each speaker's track
    leveler: str = ""  # a filter evening out loud and quiet passages, when the range is too wide
    measured: float = 0.0  # integrated loudness of [body], LUFS, once measured

    def graph(self, speakers: bool = False) -> str:
        """The filter graph; with `speakers`, each levelled track is also labelled [s<i>]."""
        graph = self._graph(speakers)
        if self.leveler:
            graph = graph.removesuffix("[body]") + f"[wide];[wide]{self.leveler}[body]"
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
        loudness = measured[f"track{i}"]["integrated"]
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


def _encode_args(output: Path, bitrate: str) -> list[str]:
    """MP3 without tags (the tag stage writes them); the same encoded bytes go to the file and,
    through a pipe, to the measuring ffmpeg."""
    codec = ["-c:a", "libmp3lame", "-b:a", bitrate, "-id3v2_version", "0", "-write_id3v1", "0", "-map_metadata", "-1"]
    return [*codec, "-f", "tee", f"[f=mp3]{_tee_escape(output)}|[f=mp3]pipe\\:1"]


def _tee_escape(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace("|", "\\|").replace(":", "\\:").replace("[", "\\[").replace("]", "\\]")


@dataclass(frozen=True)
class Extras:
    """Files made in the same ffmpeg pass as the MP3."""

    speech: Path | None = None  # the programme before any gain, 16 kHz mono: what Whisper hears
    tracks: tuple[Path, ...] = ()  # each speaker's track, likewise, on the episode's timeline
    aac: Path | None = None  # the AAC alternate


@dataclass
class Attempt:
    gain: float
    limit: float | None  # dBFS where the limiter holds peaks; None: linear gain only


def normalise(
    parts: list[Path],
    output: Path,
    loudness: Loudness,
    audio: AudioSettings = AudioSettings(),
    tracks: tuple[Track, ...] = (),
    intro_outro: Jingles | None = None,
    work: Path | None = None,
    extras: Extras = Extras(),
) -> dict[str, Any]:
    """Make the episode's MP3 at `output` and return what was measured on the encoded file.

    Raises:
        AudioDecodeError: a recording is empty, unreadable, too short or silent.
        StageError: the encoded file cannot be brought within tolerance of the target.
    """
    show = programme(parts, tracks, audio)
    about = ", ".join(str(p) for p in (parts or [t.file for t in tracks]))
    bitrate = audio.bitrate_mono if show.channels == 1 else audio.bitrate_stereo
    target = loudness.target_for(show.channels)
    show, body, span, duration = _measure(show, parts, audio, loudness, about)

    use_jingles = intro_outro or Jingles()
    ready = {}
    for kind in ("intro", "outro"):
        source = getattr(use_jingles, kind)
        if source:
            ready[kind] = jingles.prepare(source, work or output.parent, target, show.channels, WORKING_RATE, audio.silence_threshold)

    ceiling = loudness.true_peak
    limit = ceiling - peak_margin(bitrate)
    gain = target - body["integrated"]
    # Linear gain when it keeps the peaks under the ceiling; otherwise (and always with jingles,
    # whose music peaks are not measured here) a limiter holds them.
    attempt = Attempt(gain, limit if body["true_peak"] + gain > limit or ready else None)
    history: list[dict[str, Any]] = []
    for _ in range(MAX_ENCODES):
        measured = _encode(show, attempt, span, ready, use_jingles.crossfade, bitrate, output, extras, about)
        history.append({"gain": attempt.gain, "limit": attempt.limit, **measured})
        off = target - measured["integrated"]
        too_loud = measured["true_peak"] > ceiling
        if abs(off) <= AIM and not too_loud:
            break
        if too_loud:
            # Hold peaks lower: by what the encoded file overshot, and a little more.
            current = attempt.limit if attempt.limit is not None else limit
            attempt.limit = current - (measured["true_peak"] - ceiling) - 0.3
        attempt.gain += off / _slope(history)
        if attempt.limit is None and body["true_peak"] + attempt.gain > limit:
            attempt.limit = limit

    final = history[-1]
    if abs(target - final["integrated"]) > loudness.tolerance or final["true_peak"] > ceiling:
        raise StageError(
            f"{about}: levelled to {final['integrated']:.1f} LUFS / {final['true_peak']:.1f} dBTP, "
            f"outside the target {target:g} ± {loudness.tolerance:g} LUFS, ≤ {ceiling:g} dBTP"
        )
    limited = final["limit"] is not None and body["true_peak"] + final["gain"] > final["limit"]
    if limited:
        logger.info("%s: a linear gain would clip; peaks limited by %.1f dB", about, body["true_peak"] + final["gain"] - final["limit"])
    from mutagen.mp3 import MP3

    return {
        "integrated": final["integrated"],
        "true_peak": final["true_peak"],
        "lra": final["lra"],
        "target": target,
        "duration": round(MP3(output).info.length, 3),
        "channels": show.channels,
        "bitrate": bitrate,
        "input_integrated": body["integrated"],
        "input_true_peak": body["true_peak"],
        "gain": round(final["gain"], 2),
        "limited": limited,
        "levelled_range": body.get("range_before"),
        "encodes": len(history),
        "trimmed": [round(span[0], 3), round(duration - span[1], 3)],
        "speakers": [t.speaker for t in show.tracks],
    }


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
    show: Programme, parts: list[Path], audio: AudioSettings, loudness: Loudness, about: str
) -> tuple[Programme, dict[str, float], tuple[float, float], float]:
    """Measure the programme; returns it (with a leveler when its range is too wide), its
    loudness, the span between its silent edges, and its decoded duration."""
    detect = f"silencedetect=n={audio.silence_threshold:g}dB:d={audio.silence_min:g}," if audio.trim_silence else ""
    graph = f"{show.graph()};[body]{detect}{meter('body')}[m]"
    first = ffmpeg.run(["-stats_period", "3600", *show.inputs, "-filter_complex", graph, "-map", "[m]", "-f", "null", "-"], about=about)
    found = summaries(first.stderr)
    for name, values in found.items():
        if name.startswith("part") and is_silent(values["integrated"]):
            raise AudioDecodeError(f"{parts[int(name[4:])]}: the recording is silent")
    body = found["body"]
    if is_silent(body["integrated"]):
        raise AudioDecodeError(f"{about}: the recording is silent (below -70 LUFS)")
    decoded = elapsed(first.stderr)
    damage = _damaged(first.stderr, show, decoded, about)
    if damage:
        raise damage
    duration = decoded or show.duration  # what was decoded, not what headers claim
    span = trim_span(silences(first.stderr), duration) if audio.trim_silence else (0.0, duration)
    if body["lra"] > loudness.lra:
        # Passages far louder or quieter than the rest: even them out, then measure again.
        show = replace(show, leveler=LEVELER)
        graph = f"{show.graph()};[body]{meter('body')}[m]"
        again = ffmpeg.run(["-nostats", *show.inputs, "-filter_complex", graph, "-map", "[m]", "-f", "null", "-"], about=about)
        logger.info("%s: loudness range %.1f LU over the %.1f LU aimed for; levelled", about, body["lra"], loudness.lra)
        body = {**summaries(again.stderr)["body"], "range_before": body["lra"]}
    return replace(show, measured=body["integrated"]), body, span, duration


def _slope(history: list[dict[str, Any]]) -> float:
    """How many LU the output gained per dB of gain in the last two tries (1 without limiting).

    A limiter takes back part of any extra gain, so aiming by the plain difference would
    undershoot again; the secant between the last two tries aims where they point.
    """
    if len(history) < 2 or history[-1]["limit"] != history[-2]["limit"]:
        return 1.0
    step = history[-1]["gain"] - history[-2]["gain"]
    moved = history[-1]["integrated"] - history[-2]["integrated"]
    if abs(step) < 0.05 or moved <= 0:
        return 1.0
    return min(max(moved / step, 0.2), 1.0)


def _encode(
    show: Programme,
    attempt: Attempt,
    span: tuple[float, float],
    ready: dict[str, Path],
    fade: float,
    bitrate: str,
    output: Path,
    extras: Extras,
    about: str,
) -> dict[str, float]:
    start, end = span
    layout = "mono" if show.channels == 1 else "stereo"
    inputs = list(show.inputs)
    graph = [show.graph(speakers=bool(extras.tracks))]
    trim = f"atrim=start={start:.3f}:end={end:.3f},asetpts=PTS-STARTPTS"
    graph.append(f"[body]{trim},asplit=2[trimmed][unlevelled]")
    graph.append(f"[trimmed]volume={attempt.gain:.2f}dB[lev]")
    current = "lev"
    lead = 0.0  # seconds the intro adds before the programme
    for kind in ("intro", "outro"):
        if kind not in ready:
            continue
        index = len(inputs) // 2
        inputs += ["-i", str(ready[kind])]
        graph.append(f"[{index}:a:0]aformat=sample_fmts=fltp:sample_rates={WORKING_RATE}:channel_layouts={layout}[{kind}]")
        pair = f"[{kind}][{current}]" if kind == "intro" else f"[{current}][{kind}]"
        graph.append(f"{pair}acrossfade=d={fade:g}:c1=tri:c2=tri[with_{kind}]")
        current = f"with_{kind}"
        if kind == "intro":
            lead = ffmpeg.probe(ready[kind]).duration - fade
    tail = f"[{current}]"
    if attempt.limit is not None:
        level = 10 ** (attempt.limit / 20)
        tail += f"alimiter=limit={level:.5f}:attack={LIMITER_ATTACK_MS}:release={LIMITER_RELEASE_MS}:level=false:latency=true,"
    tail += f"aresample={SAMPLE_RATE}"
    outputs: list[str] = []
    if extras.aac:
        graph.append(f"{tail},asplit=2[out][aac]")
        outputs += ["-map", "[aac]", "-c:a", "aac", "-b:a", bitrate, "-movflags", "+faststart", "-f", "ipod", str(extras.aac)]
    else:
        graph.append(f"{tail}[out]")
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
        graph.append(f"[s{i}]{trim},{speech}[s{i}out]")
        outputs += ["-map", f"[s{i}out]", "-c:a", "flac", "-sample_fmt", "s16", "-f", "flac", str(path)]
    args = ["-nostats", *inputs, "-filter_complex", ";".join(graph), "-map", "[out]", *_encode_args(output, bitrate), *outputs]
    _, log = ffmpeg.run_piped(args, ["-nostats", "-f", "mp3", "-i", "pipe:0", "-filter_complex", meter("encoded"), "-f", "null", "-"], about)
    return summaries(log)["encoded"]


class Normalise(Stage):
    name = "normalise"
    version = 3

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        episode = job.episode
        return {
            "loudness": job.show.loudness.to_dict(),
            "audio": job.show.audio.to_dict(),
            "tracks": [{"speaker": t.speaker, "offset": t.offset, "channel": t.channel} for t in episode.tracks],
            "jingles": self._jingles(job) is not None and job.show.jingles.crossfade,
            "ffmpeg": ffmpeg.version(),
        }

    @staticmethod
    def _jingles(job: EpisodeJob) -> Jingles | None:
        wanted = job.episode.jingles and job.episode.type == "full"
        show = job.show.jingles
        return show if wanted and (show.intro or show.outro) else None

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        files = {f"recording{i}": path for i, path in enumerate(job.episode.recordings)}
        jingle_set = self._jingles(job)
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

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> dict[str, Any]:
        work = job.cache / "work"
        try:
            data = normalise(
                list(job.episode.audio),
                out["audio"],
                job.show.loudness,
                job.show.audio,
                tracks=job.episode.tracks,
                intro_outro=self._jingles(job),
                work=work,
                extras=Extras(
                    speech=out["speech"],
                    tracks=tuple(out[f"track{i}"] for i in range(len(job.episode.tracks))),
                    aac=out.get("aac"),
                ),
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        logger.info("%s: %.1f LUFS, %.1f dBTP", job.episode.slug, data["integrated"], data["true_peak"])
        return data
