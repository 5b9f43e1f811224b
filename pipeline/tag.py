"""Stage 4: the published MP3, the levelled audio with ID3 tags written by mutagen.

The levelled file in the build cache stays untouched, so editing a title re-tags a copy and
never re-encodes.
"""

from __future__ import annotations

import io
import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mutagen.id3 import APIC, COMM, ID3, TALB, TCON, TDRC, TIT2, TLAN, TPE1, TPE2, TRCK, PictureType
from mutagen.mp3 import MP3

from .engine import Stage
from .jobs import EpisodeJob
from .records import Episode, Show

COVER_SIZE = 1400  # Apple's minimum artwork size; enough for any player's now-playing screen
ID3_LANGUAGE = {"fr": "fra", "en": "eng", "de": "deu", "es": "spa", "it": "ita", "nl": "nld", "pt": "por"}


def cover_jpeg(artwork: Path) -> bytes:
    """The show artwork as a square JPEG small enough to embed in every episode."""
    from PIL import Image

    with Image.open(artwork) as image:
        image = image.convert("RGB")
        image.thumbnail((COVER_SIZE, COVER_SIZE))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def artists(show: Show, episode: Episode) -> list[str]:
    return [p.name for p in show.hosts] + [p.name for p in episode.guests] or [show.author]


def plain_description(episode: Episode) -> str:
    return episode.description.strip() or episode.title


def write_tags(path: Path, show: Show, episode: Episode) -> None:
    language = show.language.split("-")[0]
    tags = ID3()
    tags.add(TIT2(encoding=3, text=episode.title))
    tags.add(TPE1(encoding=3, text=artists(show, episode)))
    tags.add(TALB(encoding=3, text=show.title))
    tags.add(TPE2(encoding=3, text=show.author))
    tags.add(TDRC(encoding=3, text=episode.published.strftime("%Y-%m-%d")))
    if episode.number is not None:
        tags.add(TRCK(encoding=3, text=str(episode.number)))
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(TLAN(encoding=3, text=ID3_LANGUAGE.get(language, language)))
    tags.add(COMM(encoding=3, lang=ID3_LANGUAGE.get(language, "und"), desc="", text=plain_description(episode)))
    tags.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.COVER_FRONT, desc="Cover", data=cover_jpeg(show.artwork)))
    tags.save(path, v2_version=4)


class Tag(Stage):
    name = "tag"
    version = 1

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        show = job.show
        return {
            "episode": job.episode.metadata(),
            "show": {"title": show.title, "author": show.author, "hosts": show.to_dict()["hosts"], "language": show.language},
            "mutagen": version("mutagen"),
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"audio": job.records["normalise"].path("audio"), "artwork": job.show.artwork}

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        return {"mp3": job.paths.public / "audio" / f"{job.episode.slug}.mp3"}

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> dict[str, Any]:
        shutil.copyfile(self.inputs(job)["audio"], out["mp3"])
        write_tags(out["mp3"], job.show, job.episode)
        return {"bytes": out["mp3"].stat().st_size, "duration": round(MP3(out["mp3"]).info.length, 3)}
