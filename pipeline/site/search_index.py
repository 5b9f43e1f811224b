"""The one way this project runs pagefind: search records in, a static search bundle out.

pagefind (pagefind.app) indexes a static site into a folder of small files (its script, its
WebAssembly, an index split in chunks and a fragment per record) that the reader's browser
fetches as a search needs them: no server, nothing asked of another host. The binary ships in
the `pagefind-bin-extended` wheel (a dependency, so it installs offline like everything else);
pagefind's Python API runs it as a service (`PagefindService`) and adds records to an index
(`PagefindIndex.add_custom_record`) over pipes.

Records are added one by one rather than by crawling the HTML: a record per sentence can then
carry its own URL, down to the second it was said (`#t=754`), which a crawled page cannot.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pagefind.service import PagefindService, get_executable

from ..errors import MissingToolError, PipelineError, StageError
from ..files import TEMP_MARK

logger = logging.getLogger(__name__)

ENTRY = "pagefind-entry.json"  # what pagefind.js reads first: the index files of this build, by hash
# pagefind's ready-made search interfaces, written with every index: templates/search.js uses
# pagefind.js's API instead (results by sentence, speaker and time), so they are not published.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)


# pagefind 1.5 sometimes answers that it wrote the index and leaves some of its files empty
# (pagefind-entry.json, its scripts: those it writes in the background without waiting), even
# once it has exited: 12 indexes of 120 written three at a time on two busy cores. Every file it
# writes has content, so an empty one means the index is to be written again.
WRITE_ATTEMPTS = 3
# ...or part-written: a build's pagefind.js once differed from another build's of the same show.
# Its writes finish in the background, and are lost if it is stopped first, so it is stopped only
# once the folder has stayed the same (sizes and mtimes) for SETTLED_POLLS looks POLL_SECONDS apart.
POLL_SECONDS = 0.05
SETTLED_POLLS = 3
SETTLE_LIMIT = 10.0  # seconds: past that, the empty-file check below judges what is there


@dataclass(frozen=True)
class SearchRecord:
    """One search result to be: where it leads, the text searched, and what the result shows."""

    url: str  # relative to the site's root: pagefind.js prefixes the folder its bundle is served under
    content: str  # plain text; pagefind escapes < and > in the excerpts it makes of it
    meta: dict[str, str] = field(default_factory=dict)  # shown as text by templates/search.js


@functools.cache
def executable() -> Path:
    found = get_executable()
    if found is None or not found.is_file():
        raise MissingToolError("no pagefind binary (the pagefind[extended] package); run 'make build' to install the project")
    return found


@functools.cache
def version() -> str:
    """pagefind's version line: part of the search stage's fingerprint (another version, another index format)."""
    result = subprocess.run([str(executable()), "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return result.stdout.strip() or "unknown"


def write(records: list[SearchRecord], folder: Path, language: str) -> None:
    """Index `records` as written in `language` (ISO 639-1, which picks pagefind's stemmer) into `folder`.

    Raises:
        MissingToolError: the pagefind binary is not installed.
        StageError: pagefind failed; the message says what it answered (or which files it left empty).
    """
    binary = executable()
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        logger.debug("pagefind: %s --service, %d records in %s, into %s", binary, len(records), language, folder)
        shutil.rmtree(folder, ignore_errors=True)
        try:
            asyncio.run(_write(records, folder, language))
        except PipelineError:
            raise
        except Exception as e:  # the service answers a failure with a bare Exception carrying its message
            raise StageError(f"{folder}: pagefind could not write the search index: {type(e).__name__}: {e}") from e
        if not (folder / ENTRY).is_file():
            raise StageError(f"{folder}: pagefind wrote no {ENTRY}")
        for name in UNUSED:
            (folder / name).unlink(missing_ok=True)
        empty = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.stat().st_size == 0)
        if not empty:
            return
        logger.warning("%s: pagefind left %s empty (attempt %d of %d)", folder, ", ".join(empty), attempt, WRITE_ATTEMPTS)
    raise StageError(f"{folder}: pagefind left {', '.join(empty)} empty {WRITE_ATTEMPTS} times; build again")


async def _write(records: list[SearchRecord], folder: Path, language: str) -> None:
    service = await _Service().launch()
    try:
        # force_language: one index for the whole site, in the show's language, whatever the
        # records say; the search page (lang = the show's) searches that one.
        index = await service.create_index({"force_language": language})
        for record in records:
            await index.add_custom_record(url=record.url, content=record.content, language=language, meta=record.meta)
        await index.write_files(output_path=str(folder))
        await _settled(folder)
    finally:
        await service.close()


async def _settled(folder: Path) -> None:
    """Return once the files in `folder` have stopped changing (or after SETTLE_LIMIT seconds)."""
    last, same = None, 0
    for _ in range(int(SETTLE_LIMIT / POLL_SECONDS)):
        now = sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file())
        same = same + 1 if now == last else 0
        if same >= SETTLED_POLLS:
            return
        last = now
        await asyncio.sleep(POLL_SECONDS)


class _Service(PagefindService):
    """pagefind's service client, reading the binary's answers as they come.

    pagefind 1.5's own client sleeps 0.1 s before reading each answer (its
    `_wait_for_responses`), and a record is a request and an answer: 0.1 s a sentence, 58 s
    for an hour of transcript (bench/search.py). Here the answers are read without the
    pause (`readuntil` waits without spinning), an error answer fails its request, and a
    binary that stops answering fails every request still waiting instead of hanging them.
    """

    async def _wait_for_responses(self) -> None:
        answers = self._backend.stdout
        assert answers is not None  # the service starts its binary with stdout=PIPE
        try:
            while True:
                answer = json.loads(base64.b64decode((await answers.readuntil(b","))[:-1]))
                payload: Any = (answer or {}).get("payload") or {}
                future = self._responses.get(answer.get("message_id")) if answer else None
                if future is None:
                    if payload.get("type") == "Error":  # a request it could not read: which one, it does not say
                        self._fail(payload.get("message", "error"))
                    continue
                if future.done():
                    continue
                if payload.get("type") == "Error":
                    future.set_exception(StageError(f"pagefind: {payload.get('message')}"))
                else:
                    future.set_result(payload)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
            self._fail(f"stopped answering ({type(e).__name__}: {e})")

    def _fail(self, why: str) -> None:
        for future in self._responses.values():
            if not future.done():
                future.set_exception(StageError(f"pagefind: {why}"))

    async def close(self) -> None:
        # Every request was awaited: nothing to wait for (the parent's close waits on them
        # all again and raises the first error instead of stopping the binary).
        self._poll_task.cancel()
        if self._backend.returncode is None:
            self._backend.terminate()
        await self._backend.wait()


def replace_folder(new: Path, final: Path) -> None:
    """Put the folder `new` in the place of `final`, as a whole.

    The engine renames files into place; pagefind writes a folder whose file names are content
    hashes, so an index is never updated file by file (the old fragments would pile up, and a
    reader could fetch a new entry file naming fragments not written yet). `os.replace` renames
    a folder only over an empty one: the old index is first renamed aside, then the new one in,
    then the old one deleted. Between the two renames (microseconds) there is no index and a
    search fails; there is never a mix of two. Both are siblings, so on one file system.
    """
    old = final.with_name(f".{final.name}.old{TEMP_MARK}{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(new, final)
    shutil.rmtree(old, ignore_errors=True)


def staging_folder(final: Path) -> Path:
    """Where the next index is written before `replace_folder` puts it in place; leftovers of
    killed builds (folders, which the engine's clean-up of temporary files leaves) are removed."""
    for leftover in final.parent.glob(f".{final.name}*{TEMP_MARK}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    return final.with_name(f".{final.name}{TEMP_MARK}{os.getpid()}")
