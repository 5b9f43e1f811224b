"""`podcast publish --to DIR`: copy `public/` to a web root in an order no listener can catch half-done.

Three passes (`PublicLayout.publish_pass`): the audio, then the pages and transcripts, the feed
last, so an item never names an MP3 that is not there yet. A file is copied only when its size or
its SHA-256 differs from the copy in DIR (mtimes are not compared: a copy made by another tool, or
a checkout, has other mtimes and the same bytes). Each copy is a temporary in DIR renamed over the
target, so a web server serves the old file or the new one, never part of one. Files gone from
`public/` are removed from DIR only after the feed is written: until then the old feed, which
apps may still be reading, names them.

To a server (`user@host:/path`, `host:path`, `rsync://host/module/path`), or to a folder with
`rsync=True`, the system's rsync does the same: one run per pass, given only that pass's files,
comparing checksums (not mtimes) and putting each pass's files in place together once all are
whole (`--delay-updates`); a last run only deletes what is gone from `public/`.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MissingToolError, PipelineError
from ..files import TEMP_MARK, clean_temporaries, file_sha256, remove_temporary, temp_path
from ..layout import PublicLayout

logger = logging.getLogger(__name__)

RSYNC_INSTALL = "install rsync (Debian/Ubuntu: apt-get install rsync; macOS: brew install rsync)"
# What every pass asks of rsync: files compared by size and checksum (as `same` does, whatever
# their mtimes), mtimes kept (web servers' Last-Modified), each pass's files renamed into place
# together once all have arrived whole, and one line per file that changed: "%i" is rsync's
# itemized change (">f+++++++++" a new file received, "<f.st......" one sent to a server).
RSYNC_OPTIONS = ["--checksum", "--times", "--delay-updates", "--out-format=%i %n"]
STDERR_SHOWN = 10  # lines of rsync's complaint shown in an error


@dataclass
class Published:
    """What one `publish` did, as paths relative to `public/`, in the order done."""

    copied: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def _files(folder: Path) -> dict[str, Path]:
    """Every file under `folder` by its path relative to it; temporaries of a killed build or copy
    left aside, files and folders (a search index moved aside) alike."""
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file() and TEMP_MARK not in p.relative_to(folder).as_posix()}


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
        remove_temporary(temp)


def built(layout: PublicLayout) -> Path:
    """`public/`, resolved, once built."""
    public = layout.root.resolve()
    if not public.is_dir():
        raise PipelineError(f"{public}: nothing to publish yet; run 'podcast build' first")
    return public


def web_root(folder: Path, public: Path) -> Path:
    """`folder` resolved, or a PipelineError when it is `public` or holds it, or lies inside it."""
    folder = folder.resolve()
    if folder == public or folder.is_relative_to(public) or public.is_relative_to(folder):
        raise PipelineError(f"{folder}: the web root must be outside {public} (and not hold it)")
    return folder


def publish(layout: PublicLayout, to: Path) -> Published:
    """Copy `layout.root` to the web root `to`: changed files only, audio first, the feed last, then remove what is gone.

    Raises:
        PipelineError: public/ has not been built, `to` is inside public/, or a copy failed.
    """
    public = built(layout)
    to = web_root(to, public)
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


def is_remote(destination: str) -> bool:
    """Whether rsync reads `destination` as a server: `rsync://…`, or a colon before any slash
    (`host:path`, `user@host:/path`, `host::module`); `./a:b` and `/srv/a:b` are folders here."""
    return destination.startswith("rsync://") or ":" in destination.split("/", 1)[0]


def publish_to(layout: PublicLayout, destination: str, rsync: bool = False) -> Published:
    """`publish` to a folder, or `publish_rsync` to a server (or a folder, with `rsync`)."""
    if rsync or is_remote(destination):
        return publish_rsync(layout, destination)
    return publish(layout, Path(destination))


def publish_rsync(layout: PublicLayout, destination: str) -> Published:
    """Copy `layout.root` to `destination` with rsync, in `publish`'s order: audio, pages, the feed, then deletions.

    Raises:
        MissingToolError: rsync is not installed.
        PipelineError: public/ has not been built, a folder destination lies inside it, or rsync failed.
    """
    rsync = shutil.which("rsync")
    if not rsync:
        raise MissingToolError(f"rsync is not installed, and publishing to {destination} needs it: {RSYNC_INSTALL}")
    public = built(layout)
    if not is_remote(destination):
        folder = web_root(Path(destination), public)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise PipelineError(f"{folder}: could not make the web root there: {e}") from e
        destination = str(folder)
    destination = destination.rstrip("/") + "/"
    wanted = sorted(_files(public))
    done = Published()
    for rank, name in ((0, "audio"), (1, "pages"), (2, "feed")):
        names = [r for r in wanted if layout.publish_pass(r) == rank]
        if not names:
            continue
        # --files-from copies exactly these paths, folders made as needed; names end in NUL (--from0).
        args = ["--files-from=-", "--from0", *RSYNC_OPTIONS, f"{public}/", destination]
        changed = [n for n in _run_rsync(rsync, args, "\0".join(names), f"the {name} pass") if re.match(r"[<>]f", n)]
        done.copied += [line.split(" ", 1)[1] for line in changed]
        done.unchanged += len(names) - len(changed)
    # Deletions only (--existing and --ignore-existing send nothing), once the new feed is up;
    # temporaries of ours on the server are deleted too (--delete-excluded).
    args = [
        "--recursive",
        "--delete",
        "--existing",
        "--ignore-existing",
        f"--exclude=.*{TEMP_MARK}*",
        "--delete-excluded",
        "--out-format=%i %n",
        f"{public}/",
        destination,
    ]
    for line in _run_rsync(rsync, args, "", "the pass that deletes"):
        if line.startswith("*deleting"):
            removed = line.split(None, 1)[1]
            if not removed.endswith("/"):
                done.removed.append(removed)
    for relative in done.copied:
        logger.info("published %s", relative)
    for relative in done.removed:
        logger.info("removed %s (no longer in public/)", relative)
    return done


def _run_rsync(rsync: str, args: list[str], files: str, about: str) -> list[str]:
    """Run rsync; its lines of output, or a PipelineError with the end of what it complained."""
    command = [rsync, *args]
    logger.debug("running %s", " ".join(command))
    result = subprocess.run(command, input=files, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-STDERR_SHOWN:])
        raise PipelineError(f"{args[-1]}: rsync failed in {about} (exit status {result.returncode}):\n{tail}")
    return result.stdout.splitlines()
