"""The episode's programme as ffmpeg makes it: the recordings cleaned, then played one after
the other or, one per speaker, each levelled and mixed; its silent edges trimmed, its jingles
joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import AudioDecodeError
from ..records import AudioSettings, Track
from . import ffmpeg
from .loudness import STEP, is_silent, meter, summaries

SAMPLE_RATE = 44100  # Apple's audio requirements: 44.1 kHz MP3
WORKING_RATE = 48000
MIN_SECONDS = 1.0  # shorter than this is a mistake, not a recording
TRIM_PAD = 0.25  # seconds of silence kept before the first sound and after the last
TRACK_LEVEL = -23.0  # LUFS each speaker's track is set to before mixing (EBU R128's reference)


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


def trim_filter(span: tuple[float, float]) -> str:
    start, end = span
    return f"atrim=start={start:.3f}:end={end:.3f},asetpts=PTS-STARTPTS"


def shaped(
    show: Programme, gain: float, span: tuple[float, float], ready: dict[str, Path], fade: float, speakers: bool
) -> tuple[list[str], list[str], str, float]:
    """The ffmpeg inputs and graph up to the limiter: the programme trimmed, at `gain`, with its
    jingles. Returns them, the label of that point, and the seconds the intro adds before the
    programme; the programme before the gain is labelled [unlevelled]."""
    layout = "mono" if show.channels == 1 else "stereo"
    inputs = show.input_args()
    graph = [show.graph(speakers=speakers)]
    graph.append(f"[body]{trim_filter(span)},asplit=2[trimmed][unlevelled]")
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
