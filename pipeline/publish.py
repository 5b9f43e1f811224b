"""`podcast publish --to DIR`: copy `public/` to a web root in an order no listener can catch half-done.

Three passes (`PublicLayout.publish_pass`): the audio, then the pages and transcripts, the feed
last, so an item never names an MP3 that is not there yet. A file is copied only when its size or
its SHA-256 differs from the copy in DIR (mtimes are not compared: a copy made by another tool, or
a checkout, has other mtimes and the same bytes). Each copy is a temporary in DIR renamed over the
target, so a web server serves the old file or the new one, never part of one. Files gone from
`public/` are removed from DIR only after the feed is written: until then the old feed, which
apps may still be reading, names them.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .engine import TEMP_MARK, clean_temporaries, file_sha256, temp_path
from .errors import PipelineError
from .layout import PublicLayout

logger = logging.getLogger(__name__)


@dataclass
class Published:
    """What one `publish` did, as paths relative to `public/`, in the order done."""

    copied: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _files(folder: Path) -> dict[str, Path]:
    """Every file under `folder` by its path relative to it; temporaries of a killed build or copy
    left aside, files and folders (a search index moved aside) alike."""
    return {
        p.relative_to(folder).as_posix(): p
        for p in folder.rglob("*")
        if p.is_file() and TEMP_MARK not in p.relative_to(folder).as_posix()
    }


def same(source: Path, target: Path) -> bool:
    """True when `target` already has `source`'s bytes (sizes first: a cheap no)."""
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        return False
    return file_sha256(source) == file_sha256(target)


def copy_file(source: Path, target: Path) -> None:
    """Copy `source` over `target` atomically: a temporary beside the target, then os.replace."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(target)
    try:
        shutil.copyfile(source, temp)
        shutil.copystat(source, temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def publish(layout: PublicLayout, to: Path) -> Published:
    """Copy `layout.root` to the web root `to`: changed files only, audio first, the feed last, then remove what is gone.

    Raises:
        PipelineError: public/ has not been built, `to` is inside public/, or a copy failed.
    """
    public = layout.root.resolve()
    to = to.resolve()
    if not public.is_dir():
        raise PipelineError(f"{public}: nothing to publish yet; run 'podcast build' first")
    if to == public or to.is_relative_to(public) or public.is_relative_to(to):
        raise PipelineError(f"{to}: the web root must be outside {public} (and not hold it)")
    clean_temporaries(to)  # what a killed publish left
    done = Published()
    wanted = _files(public)
    for rank in (0, 1, 2):
        for relative in sorted(r for r in wanted if layout.publish_pass(r) == rank):
            target = to / relative
            if same(wanted[relative], target):
                done.unchanged += 1
                continue
            try:
                copy_file(wanted[relative], target)
            except OSError as e:
                raise PipelineError(f"{target}: could not copy {wanted[relative]} there: {e}") from e
            logger.info("published %s", relative)
            done.copied.append(relative)
    if to.is_dir():
        for relative, stale in sorted(_files(to).items(), reverse=True):
            if relative not in wanted:
                stale.unlink()
                logger.info("removed %s (no longer in public/)", relative)
                done.removed.append(relative)
        for folder in sorted((p for p in to.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return done
