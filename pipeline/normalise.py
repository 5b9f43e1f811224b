"""Stage 1: join an episode's recordings and level them to the show's loudness target.

Two-pass EBU R128 `loudnorm` in linear mode (pass 1 measures, pass 2 applies the measured
values as one gain), then a 44.1 kHz CBR MP3, then the encoded file is measured again with
`ebur128=peak=true`: what listeners hear is what is checked, not what the filter promised.
"""

from __future__ import annotations

import json
import logging
import math
import re
from pathlib import Path
from typing import Any

from . import ffmpeg
from .engine import Stage
from .errors import AudioDecodeError, StageError
from .jobs import EpisodeJob
from .records import Loudness

logger = logging.getLogger(__name__)

SAMPLE_RATE = 44100  # Apple's audio requirements: 44.1 kHz MP3
BITRATE = {1: "64k", 2: "128k"}  # Apple: 128 kb/s stereo, 64 kb/s mono is plenty for speech
WORKING_RATE = 48000
# MP3 encoding raises true peak by a few tenths of a dB (more at low bitrates): aim lower so the
# encoded file still sits under the ceiling.
PEAK_MARGIN = {1: 1.0, 2: 0.5}


def input_graph(count: int, layout: str) -> str:
    """Format every input alike and join them in order; the result is labelled [joined]."""
    chains = [f"[{i}:a:0]aformat=sample_fmts=fltp:sample_rates={WORKING_RATE}:channel_layouts={layout}[p{i}]" for i in range(count)]
    if count == 1:
        return f"{chains[0]};[p0]anull[joined]"
    labels = "".join(f"[p{i}]" for i in range(count))
    return ";".join(chains) + f";{labels}concat=n={count}:v=0:a=1[joined]"


def _loudnorm(loudness: Loudness, peak_target: float, measured: dict[str, str] | None = None) -> str:
    options = [f"I={loudness.target}", f"TP={peak_target}", f"LRA={loudness.lra}", "print_format=json"]
    if measured:
        options += [
            f"measured_I={measured['input_i']}",
            f"measured_TP={measured['input_tp']}",
            f"measured_LRA={measured['input_lra']}",
            f"measured_thresh={measured['input_thresh']}",
            f"offset={measured['target_offset']}",
            "linear=true",
        ]
    return "loudnorm=" + ":".join(options)


def _loudnorm_json(stderr: str, about: Path) -> dict[str, str]:
    start = stderr.rfind("{")
    end = stderr.rfind("}")
    try:
        return json.loads(stderr[start : end + 1])
    except ValueError:
        raise AudioDecodeError(f"{about}: loudnorm printed no measurement") from None


def measure(path: Path) -> dict[str, float]:
    """Integrated loudness (LUFS), loudness range (LU) and true peak (dBTP) of a file, per EBU R128."""
    result = ffmpeg.run(["-nostats", "-i", str(path), "-filter_complex", "ebur128=peak=true", "-f", "null", "-"], about=path)
    summary = result.stderr[result.stderr.rfind("Summary:") :]

    def number(label: str) -> float:
        match = re.search(rf"{label}:\s+(-?(?:inf|[\d.]+))", summary)
        if not match:
            raise AudioDecodeError(f"{path}: ebur128 printed no {label}")
        return float(match.group(1))

    return {"integrated": number("I"), "lra": number("LRA"), "true_peak": number("Peak")}


def normalise(sources: list[Path], output: Path, loudness: Loudness) -> dict[str, Any]:
    """Join `sources`, level them, write an MP3 to `output`, and measure it.

    Returns the measurements of the encoded file and how it was made.

    Raises:
        AudioDecodeError: a source ffmpeg cannot read.
        StageError: the encoded file misses the target.
    """
    infos = [ffmpeg.probe(path) for path in sources]
    channels = 1 if all(info.channels == 1 for info in infos) else 2
    layout = "mono" if channels == 1 else "stereo"
    peak_target = round(loudness.true_peak - PEAK_MARGIN[channels], 2)
    inputs = [arg for path in sources for arg in ("-i", str(path))]
    graph = input_graph(len(sources), layout)
    about = ", ".join(str(p) for p in sources)

    first = ffmpeg.run(
        ["-nostats", *inputs, "-filter_complex", f"{graph};[joined]{_loudnorm(loudness, peak_target)}", "-f", "null", "-"],
        about=about,
    )
    measured = _loudnorm_json(first.stderr, sources[0])
    if not math.isfinite(float(measured["input_i"])):
        raise AudioDecodeError(f"{about}: the recording is silent")

    second = ffmpeg.run(
        [
            "-nostats", *inputs,
            "-filter_complex", f"{graph};[joined]{_loudnorm(loudness, peak_target, measured)},aresample={SAMPLE_RATE}[out]",
            "-map", "[out]", "-ac", str(channels), "-c:a", "libmp3lame", "-b:a", BITRATE[channels],
            "-id3v2_version", "0", "-write_id3v1", "0", "-map_metadata", "-1",
            "-f", "mp3", str(output),
        ],
        about=about,
    )
    applied = _loudnorm_json(second.stderr, sources[0])
    result = measure(output)
    from mutagen.mp3 import MP3

    duration = MP3(output).info.length
    off_target = abs(result["integrated"] - loudness.target) > loudness.tolerance
    if off_target or result["true_peak"] > loudness.true_peak:
        raise StageError(
            f"{about}: levelled to {result['integrated']:.1f} LUFS / {result['true_peak']:.1f} dBTP, "
            f"outside the target {loudness.target} ± {loudness.tolerance} LUFS, ≤ {loudness.true_peak} dBTP"
        )
    return {
        **result,
        "duration": round(duration, 3),
        "channels": channels,
        "bitrate": BITRATE[channels],
        "input_integrated": float(measured["input_i"]),
        "normalization_type": applied.get("normalization_type", ""),
    }


class Normalise(Stage):
    name = "normalise"
    version = 1

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        return {"loudness": job.show.loudness.to_dict(), "ffmpeg": ffmpeg.version()}

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {f"source{i}": path for i, path in enumerate(job.episode.audio)}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"audio": job.cache / "levelled.mp3"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> dict[str, Any]:
        data = normalise(list(job.episode.audio), out["audio"], job.show.loudness)
        logger.info("%s: %.1f LUFS, %.1f dBTP", job.episode.slug, data["integrated"], data["true_peak"])
        return data
