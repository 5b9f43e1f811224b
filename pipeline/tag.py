"""Stage 4: the published MP3, the levelled audio with ID3 tags written by mutagen.

The levelled file in the build cache stays untouched, so editing a title re-tags a copy and
never re-encodes. Besides the usual frames, the podcast frames iTunes defined (PCST, TGID,
WFED, TDES) and chapters (CHAP + CTOC, the ID3v2 Chapter Frame Addendum) are written, so apps
that read embedded chapters show them.
"""

from __future__ import annotations

import io
import shutil
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mutagen.id3 import (
    APIC, CHAP, COMM, CTOC, ID3, PCST, TALB, TCON, TDES, TDRC, TGID, TIT2, TLAN, TPE1, TPE2, TRCK, WFED, WXXX,
    CTOCFlags, PictureType,
)
from mutagen.mp3 import MP3

from . import feed
from .engine import Stage
from .errors import StageError
from .jobs import EpisodeJob
from .records import Episode, Show
from .render import label_file

COVER_SIZE = 1400  # Apple's minimum artwork size; enough for any player's now-playing screen
ID3_LANGUAGE = {"fr": "fra", "en": "eng", "de": "deu", "es": "spa", "it": "ita", "nl": "nld", "pt": "por"}


def cover_jpeg(artwork: Path) -> bytes:
    """The artwork as a square JPEG small enough to embed in every episode."""
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


def chapter_frames(episode: Episode, duration: float, toc_title: str) -> list[Any]:
    """CHAP frames (start and end in ms, a title, a link) and the CTOC that orders them."""
    if not episode.chapters:
        return []
    late = [c for c in episode.chapters if c.start >= duration]
    if late:
        raise StageError(
            f"{episode.folder / 'episode.toml'}: 'chapters': '{late[0].title}' starts after the end of the episode ({duration:.0f} s)"
        )
    frames = []
    ends = [c.start for c in episode.chapters[1:]] + [duration]
    for i, (chapter, end) in enumerate(zip(episode.chapters, ends, strict=True)):
        sub_frames = [TIT2(encoding=3, text=chapter.title)]
        if chapter.url:
            sub_frames.append(WXXX(encoding=3, desc="", url=chapter.url))
        frames.append(
            CHAP(element_id=f"chp{i}", start_time=round(chapter.start * 1000), end_time=round(end * 1000),
                 start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF, sub_frames=sub_frames)
        )
    frames.append(
        CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
             child_element_ids=[f"chp{i}" for i in range(len(episode.chapters))],
             sub_frames=[TIT2(encoding=3, text=toc_title)])
    )
    return frames


def write_tags(path: Path, show: Show, episode: Episode, labels: dict[str, str]) -> None:
    language = show.language.split("-")[0]
    duration = MP3(path).info.length
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
    tags.add(TDES(encoding=3, text=plain_description(episode)))
    tags.add(PCST(value=1))
    tags.add(TGID(encoding=3, text=feed.episode_guid(show, episode.slug)))
    tags.add(WFED(url=show.feed_url))
    cover = episode.image or show.artwork
    tags.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.COVER_FRONT, desc="Cover", data=cover_jpeg(cover)))
    for frame in chapter_frames(episode, duration, labels["chapters"]):
        tags.add(frame)
    if show.audio.id3_version == 3:
        tags.update_to_v23()  # save(v2_version=3) alone keeps v2.4-only frames such as TDRC
    tags.save(path, v2_version=show.audio.id3_version)


def write_mp4_tags(path: Path, show: Show, episode: Episode) -> None:
    """The same facts in the AAC alternate's MP4 atoms."""
    from mutagen.mp4 import MP4, MP4Cover

    tags = MP4(path)
    tags["\xa9nam"] = episode.title
    tags["\xa9ART"] = artists(show, episode)
    tags["\xa9alb"] = show.title
    tags["aART"] = show.author
    tags["\xa9day"] = episode.published.strftime("%Y-%m-%d")
    tags["\xa9gen"] = "Podcast"
    tags["desc"] = plain_description(episode)
    if episode.number is not None:
        tags["trkn"] = [(episode.number, 0)]
    tags["covr"] = [MP4Cover(cover_jpeg(episode.image or show.artwork), imageformat=MP4Cover.FORMAT_JPEG)]
    tags.save()


class Tag(Stage):
    name = "tag"
    version = 2

    def settings(self, job: EpisodeJob) -> dict[str, Any]:
        show = job.show
        return {
            "episode": job.episode.metadata(),
            "show": {"title": show.title, "author": show.author, "hosts": show.to_dict()["hosts"], "language": show.language},
            "guid": feed.episode_guid(show, job.episode.slug),
            "feed": show.feed_url,
            "id3": show.audio.id3_version,
            "mutagen": version("mutagen"),
        }

    def inputs(self, job: EpisodeJob) -> dict[str, Path]:
        levelled = job.records["normalise"]
        files = {"audio": levelled.path("audio"), "artwork": job.episode.image or job.show.artwork}
        if "aac" in levelled.outputs:
            files["aac"] = levelled.path("aac")
        files["labels"] = label_file(job.paths.templates, job.show.language)
        return files

    def outputs(self, job: EpisodeJob) -> dict[str, Path]:
        files = {"mp3": job.paths.public / "audio" / f"{job.episode.slug}.mp3"}
        if "aac" in job.records["normalise"].outputs:
            files["m4a"] = job.paths.public / "audio" / f"{job.episode.slug}.m4a"
        return files

    def run(self, job: EpisodeJob, out: dict[str, Path]) -> dict[str, Any]:
        files = self.inputs(job)
        shutil.copyfile(files["audio"], out["mp3"])
        with files["labels"].open("rb") as f:
            labels = tomllib.load(f)
        write_tags(out["mp3"], job.show, job.episode, labels)
        data = {"bytes": out["mp3"].stat().st_size, "duration": round(MP3(out["mp3"]).info.length, 3)}
        if "m4a" in out:
            shutil.copyfile(files["aac"], out["m4a"])
            write_mp4_tags(out["m4a"], job.show, job.episode)
            data["m4a_bytes"] = out["m4a"].stat().st_size
        return data
