"""ID3 tags written by mutagen into the published MP3, and the same facts in the AAC alternate's
MP4 atoms.

Besides the usual frames, the podcast frames iTunes defined (PCST, TGID, WFED, TDES) and
chapters (CHAP + CTOC, the ID3v2 Chapter Frame Addendum) are written, so apps that read
embedded chapters show them.

Podcast apps show the description frames (COMM, TDES, MP4 `desc`) verbatim, so the episode's
Markdown description goes in as the plain text a reader would write: no emphasis markers, a
link as its text followed by its address, one list item per line.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup  # jinja2's own dependency
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TLAN,
    TPE1,
    TPE2,
    TRCK,
    WFED,
    WXXX,
    CTOCFlags,
    Frame,
    PictureType,
)

from ..errors import StageError
from ..layout import PublicLayout
from ..records import Chapter, Episode, Show
from .encode import mp3_length

COVER_SIZE = 1400  # Apple's minimum artwork size; enough for any player's now-playing screen
# The parser the site renders descriptions with (render.environment), so quotes and dashes
# read the same in a podcast app as on the episode's page.
MARKDOWN = MarkdownIt("commonmark", {"typographer": True}).enable(["replacements", "smartquotes"])
ID3_LANGUAGE = {"fr": "fra", "en": "eng", "de": "deu", "es": "spa", "it": "ita", "nl": "nld", "pt": "por"}


def cover_jpeg(artwork: Path) -> bytes:
    """The artwork as a square JPEG small enough to embed in every episode."""
    return _cover_jpeg(artwork.read_bytes())


# Keyed by the image's bytes, not its path: an artwork replaced between two builds of `podcast
# watch` is converted again. Once per build rather than per episode: a 3000-px PNG takes 0.3 s,
# a minute of a 200-episode catalogue's cold build.
@functools.lru_cache(maxsize=2)
def _cover_jpeg(data: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
        image.thumbnail((COVER_SIZE, COVER_SIZE))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def artists(show: Show, episode: Episode) -> list[str]:
    return [p.name for p in show.hosts] + [p.name for p in episode.guests] or [show.author]


def _inline_text(tokens: list[Token]) -> str:
    """The text of one paragraph's inline tokens, a link followed by its address in parentheses."""
    parts: list[str] = []
    links: list[tuple[str, int]] = []  # each open link's address and where its text starts in parts
    for token in tokens:
        match token.type:
            case "text" | "code_inline":
                parts.append(token.content)
            case "softbreak":
                parts.append(" ")  # a line wrapped in the source, one paragraph to a reader
            case "hardbreak":
                parts.append("\n")
            case "image":
                parts.append(_inline_text(token.children or []))  # its alt text
            case "link_open":
                # The parser percent-encodes the address; normalizeLinkText gives back "é".
                links.append((MARKDOWN.normalizeLinkText(str(token.attrs["href"])), len(parts)))
            case "link_close":
                url, start = links.pop()
                text = "".join(parts[start:])
                if url not in (text, f"mailto:{text}"):  # <https://…> and <a@b.fr> already show it
                    parts.append(f" ({url})")
            # html_inline is a lone tag such as <br>: nothing a reader should see
    return "".join(parts)


def markdown_text(source: str) -> str:
    """Markdown as plain text: blocks apart by a blank line, a list one item per line."""
    blocks: list[list[str]] = []
    hangs: list[int] = []  # per open list, innermost last: the width of its current item's marker and space
    marker = ""  # the marker of a list item whose first line is still to come
    for token in MARKDOWN.parse(source):
        match token.type:
            case "bullet_list_open" | "ordered_list_open":
                if not hangs:
                    blocks.append([])  # the whole list is one block
                hangs.append(0)
                continue
            case "bullet_list_close" | "ordered_list_close":
                hangs.pop()
                continue
            case "list_item_open":
                marker = f"{token.info}{token.markup}" if token.info else "-"  # "3." or "3)"; "*" and "+" read as "-"
                hangs[-1] = len(marker) + 1
                continue
            case "inline":
                text = _inline_text(token.children or [])
            case "fence" | "code_block":
                text = token.content
            case "html_block":
                text = Markup(token.content).striptags()  # tags out, entities decoded
            case _:
                continue
        lines = [line.rstrip() for line in text.strip().splitlines()]
        if not lines:
            continue
        if not hangs:
            blocks.append(lines)
            continue
        # A nested list sits under its parent item's text; an item's later lines and
        # paragraphs under its own text.
        indent, hang = " " * sum(hangs[:-1]), " " * hangs[-1]
        first = f"{indent}{marker} {lines[0]}" if marker else f"{indent}{hang}{lines[0]}"
        blocks[-1].extend([first] + [f"{indent}{hang}{line}" for line in lines[1:]])
        marker = ""
    return "\n\n".join("\n".join(lines) for lines in blocks if lines)


def plain_description(episode: Episode) -> str:
    """The episode's description as plain text for the tags; its title when it has none."""
    return markdown_text(episode.description) or episode.title


def chapter_frames(episode: Episode, duration: float, toc_title: str, chapters: tuple[Chapter, ...] | None = None) -> list[Any]:
    """CHAP frames (start and end in ms, a title, a link) and the CTOC that orders them.

    `chapters` are the chapters stage's (episode.toml's, or cut by topic); default: the episode's own.
    """
    chapters = episode.chapters if chapters is None else chapters
    if not chapters:
        return []
    late = [c for c in chapters if c.start >= duration]
    if late:
        raise StageError(f"{episode.folder / 'episode.toml'}: 'chapters': '{late[0].title}' starts after the end of the episode ({duration:.0f} s)")
    frames: list[Frame] = []
    ends = [c.start for c in chapters[1:]] + [duration]
    for i, (chapter, end) in enumerate(zip(chapters, ends, strict=True)):
        sub_frames: list[Frame] = [TIT2(encoding=3, text=chapter.title)]
        if chapter.url:
            sub_frames.append(WXXX(encoding=3, desc="", url=chapter.url))
        frames.append(
            CHAP(
                element_id=f"chp{i}",
                start_time=round(chapter.start * 1000),
                end_time=round(end * 1000),
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=sub_frames,
            )
        )
    frames.append(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=[f"chp{i}" for i in range(len(chapters))],
            sub_frames=[TIT2(encoding=3, text=toc_title)],
        )
    )
    return frames


def write_tags(path: Path, show: Show, episode: Episode, labels: dict[str, str], chapters: tuple[Chapter, ...] | None = None) -> None:
    language = show.language.split("-")[0]
    duration = mp3_length(path)
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
    description = plain_description(episode)
    tags.add(COMM(encoding=3, lang=ID3_LANGUAGE.get(language, "und"), desc="", text=description))
    tags.add(TDES(encoding=3, text=description))
    tags.add(PCST(value=1))
    layout = PublicLayout(show)
    tags.add(TGID(encoding=3, text=layout.episode_guid(episode.slug)))  # the same as the feed item's <guid>
    tags.add(WFED(url=layout.feed_url))
    cover = episode.image or show.artwork
    tags.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.COVER_FRONT, desc="Cover", data=cover_jpeg(cover)))
    for frame in chapter_frames(episode, duration, labels["chapters"], chapters):
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
