"""The one way this project runs pagefind: search records in, a static search bundle out.

pagefind (pagefind.app) indexes a static site into a folder of small files (its script, its
WebAssembly, an index split in chunks and a fragment per record) that the reader's browser
fetches as a search needs them: no server, nothing asked of another host. The binary ships in
the `pagefind-bin-extended` wheel (a dependency, so it installs offline like everything else);
`pagefind.index.PagefindIndex` starts it as a service and talks to it over pipes.

Records are added one by one rather than by crawling the HTML: a record per sentence can then
carry its own URL, down to the second it was said (`#t=754`), which a crawled page cannot.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .engine import TEMP_MARK
from .errors import MissingToolError, StageError

logger = logging.getLogger(__name__)

ENTRY = "pagefind-entry.json"  # what pagefind.js reads first: the index files of this build, by hash


@dataclass(frozen=True)
class SearchRecord:
    """One search result to be: where it leads, the text searched, and what the result shows."""

    url: str  # relative to the site's root: pagefind.js prefixes the folder its bundle is served under
    content: str  # plain text; pagefind escapes < and > in the excerpts it makes of it
    meta: dict[str, str] = field(default_factory=dict)  # shown as text by templates/search.js


@functools.cache
def executable() -> Path:
    from pagefind.service import get_executable

    found = get_executable()
    if found is None or not found.is_file():
        raise MissingToolError("no pagefind binary: install the project again (pip install -e .), which brings pagefind[extended]")
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
        StageError: pagefind failed; the message says what it answered.
    """
    binary = executable()
    logger.debug("pagefind: %s --service, %d records in %s, into %s", binary, len(records), language, folder)
    try:
        asyncio.run(_write(records, folder, language))
    except Exception as e:  # the service answers a failure with a bare Exception carrying its message
        raise StageError(f"{folder}: pagefind could not write the search index: {type(e).__name__}: {e}") from e
    if not (folder / ENTRY).is_file():
        raise StageError(f"{folder}: pagefind wrote no {ENTRY}")


async def _write(records: list[SearchRecord], folder: Path, language: str) -> None:
    from pagefind.index import PagefindIndex

    # force_language: one index for the whole site, searched from the search page whatever its
    # lang; every record is added in the show's language anyway.
    async with PagefindIndex(config={"force_language": language}) as index:
        for record in records:
            await index.add_custom_record(url=record.url, content=record.content, language=language, meta=record.meta)
        await index.write_files(output_path=str(folder))
        # Leaving the context would write the files again, to pagefind's default folder under
        # the working directory: the index is dropped instead, then the service closed.
        service = index._service
        await index.delete_index()
        await service.close()


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
