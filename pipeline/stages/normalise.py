"""The normalise stage: clean, join or mix, trim and level an episode's recordings into a 44.1 kHz MP3.

The work is `audio.encode.normalise`'s (its module says how, step by step): the stage hands it
the episode's recordings, jingles and settings, and names the files it writes.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from .. import results
from ..audio import ffmpeg
from ..audio.encode import Extras, normalise
from ..engine import Stage
from ..jobs import EpisodeJob
from ..records import Jingles

logger = logging.getLogger(__name__)


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
            audio=out["audio"],
            speech=out["speech"],
            aac=out.get("aac"),
            tracks=tuple(out[f"track{i}"] for i in range(len(job.episode.tracks))),
            speakers=data.speakers,
            duration=data.duration,
            bitrate=data.bitrate,
            integrated=data.integrated,
            true_peak=data.true_peak,
            lra=data.lra,
            limited=data.limited,
            report=data.report,
        )
