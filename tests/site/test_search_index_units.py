"""How the search stage talks to pagefind, piece by piece: the answers read off its pipe (one for
a request, an error, garbage, an end mid-answer), its binary stopped, the folder waited on until
its writes settle, and a new index put in the old one's place.

pagefind's service protocol (pagefind/service in the `pagefind` package): each message is
base64 of a JSON object, ended by a comma; an answer carries the request's `message_id` and a
`payload` whose `type` is "Error" when the request failed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import time
from pathlib import Path

import pytest

from pipeline.errors import MissingToolError, StageError
from pipeline.site import search_index
from pipeline.site.search_index import _Service


def answer(message: object) -> bytes:
    return base64.b64encode(json.dumps(message).encode()) + b","


class Backend:
    """The binary's side of the pipe: what it answers, then the end of its output."""

    def __init__(self, answers: bytes, end: bool = True) -> None:
        self.stdout = asyncio.StreamReader()
        self.stdout.feed_data(answers)
        if end:
            self.stdout.feed_eof()


async def replies(answers: bytes, waiting: int, end: bool = True) -> list[object]:
    """What each of `waiting` requests (message ids 1, 2, ...) gets once `answers` are read."""
    service = _Service()
    service._backend = Backend(answers, end)  # type: ignore[assignment]
    loop = asyncio.get_running_loop()
    service._responses = {i: loop.create_future() for i in range(1, waiting + 1)}
    reading = asyncio.create_task(service._wait_for_responses())
    await asyncio.wait([reading], timeout=2)
    reading.cancel()
    return [f.exception() if f.done() and f.exception() else (f.result() if f.done() else "waiting") for f in service._responses.values()]


def read(answers: bytes, waiting: int, end: bool = True) -> list[object]:
    return asyncio.run(replies(answers, waiting, end))


def test_each_answer_goes_to_its_request_in_any_order():
    got = read(answer({"message_id": 2, "payload": {"type": "IndexedFile", "n": 2}}) + answer({"message_id": 1, "payload": {"type": "NewIndex", "n": 1}}), 2)
    assert got == [{"type": "NewIndex", "n": 1}, {"type": "IndexedFile", "n": 2}]


def test_an_error_answer_fails_its_request_alone_with_pagefind_s_message():
    refused = answer({"message_id": 1, "payload": {"type": "Error", "message": "expected a string"}})
    got = read(refused + answer({"message_id": 2, "payload": {"type": "Ok"}}), 2)
    assert isinstance(got[0], StageError) and str(got[0]) == "pagefind: expected a string"
    assert got[1] == {"type": "Ok"}


def test_an_error_for_no_request_fails_every_request_still_waiting():
    # pagefind could not read a request, so it cannot say which: nothing may wait forever.
    first = answer({"message_id": 1, "payload": {"type": "Ok"}})
    got = read(first + answer({"payload": {"type": "Error", "message": "unreadable request"}}), 3, end=False)
    assert got[0] == {"type": "Ok"}  # answered before: kept
    assert [str(e) for e in got[1:]] == ["pagefind: unreadable request"] * 2
    got = read(answer({"payload": {"type": "Error"}}), 1, end=False)
    assert str(got[0]) == "pagefind: error"  # an error without a message still ends the wait


def test_answers_it_cannot_place_are_skipped():
    skipped = (
        answer(None)  # pagefind's "nothing"
        + answer({"message_id": 7, "payload": {"type": "Ok"}})  # no such request
        + answer({"payload": {"type": "Ok"}})  # no id, no error
        + answer({"message_id": 1})  # no payload
        + answer({"message_id": 1, "payload": {"type": "Error", "message": "late"}})  # its request has its answer
    )
    got = read(skipped + answer({"message_id": 2, "payload": {"type": "Ok", "n": 2}}), 2, end=False)
    assert got == [{}, {"type": "Ok", "n": 2}]


@pytest.mark.parametrize(
    ("output", "why"),
    [
        (answer({"message_id": 2, "payload": {"type": "Ok"}})[:-5], "IncompleteReadError"),  # it exited mid-answer
        (b"", "IncompleteReadError"),  # it exited without a word
        (b"not base64 at all!,", "Error"),  # binascii.Error: its output is no longer the protocol
        (base64.b64encode(b"{not json") + b",", "JSONDecodeError"),
    ],
)
def test_a_binary_that_stops_answering_fails_every_waiting_request(output, why):
    got = read(answer({"message_id": 1, "payload": {"type": "Ok"}}) + output, 3)
    assert got[0] == {"type": "Ok"}
    assert all(isinstance(e, StageError) and str(e).startswith(f"pagefind: stopped answering ({why}: ") for e in got[1:]), got


def test_close_stops_a_running_binary_and_leaves_an_ended_one_alone():
    async def run() -> tuple[int | None, int | None, bool]:
        service = _Service()
        service._backend = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(30)")
        service._poll_task = asyncio.create_task(asyncio.sleep(30))
        started = time.monotonic()
        await service.close()
        stopped = service._backend.returncode
        ended = await asyncio.create_subprocess_exec(sys.executable, "-c", "")
        await ended.wait()
        service._backend, service._poll_task = ended, asyncio.create_task(asyncio.sleep(30))
        await service.close()  # terminate() on an ended process would raise ProcessLookupError
        await asyncio.sleep(0)
        return stopped, ended.returncode, time.monotonic() - started < 10 and service._poll_task.cancelled()

    stopped, ended, quick = asyncio.run(run())
    assert stopped == -15 and ended == 0 and quick  # SIGTERM, not the 30 s sleep


class Watched(type(Path())):  # type: ignore[misc]
    """A folder that counts how often it is looked through."""

    looks = 0

    def rglob(self, pattern):  # type: ignore[no-untyped-def, override]
        Watched.looks += 1
        return super().rglob(pattern)


def settle(folder: Path, changes: int, every: float) -> tuple[int, float, float]:
    """(looks, when the last change was made, when the wait ended) while up to `changes` changes
    are made `every` s (those left when the wait ends are not made)."""
    Watched.looks = 0
    made = [0.0]

    async def writer() -> None:
        for n in range(changes):
            (folder / f"f{n % 3}").write_text("y" * n)
            made.append(time.monotonic())
            await asyncio.sleep(every)

    async def run() -> float:
        writing = asyncio.create_task(writer())
        await asyncio.sleep(0)
        await search_index._settled(Watched(folder))
        ended = time.monotonic()
        writing.cancel()
        return ended

    ended = asyncio.run(run())
    return Watched.looks, made[-1], ended


def test_the_folder_is_waited_on_until_its_files_stop_changing(tmp_path):
    """pagefind finishes writing in the background after answering: stopping it earlier loses
    the writes. Three looks 0.05 s apart that see the same sizes and times end the wait."""
    assert (search_index.POLL_SECONDS, search_index.SETTLED_POLLS, search_index.SETTLE_LIMIT) == (0.05, 3, 10.0)
    looks, _, _ = settle(tmp_path, 0, 0)
    assert looks == 4  # a still folder: a first look, then three that see the same
    looks, last_change, ended = settle(tmp_path, 6, 0.1)  # a change every 0.1 s for 0.6 s
    # Never while it still writes, and only after three looks 0.05 s apart saw the last change
    # stay (a loaded machine makes that later, never sooner).
    assert ended - last_change >= 3 * 0.05 - 0.001


def test_a_folder_that_never_settles_is_waited_on_for_the_limit_only(tmp_path, monkeypatch):
    monkeypatch.setattr(search_index, "SETTLE_LIMIT", 0.5)  # 10 s in the product, checked above
    looks, last_change, ended = settle(tmp_path, 10**6, 0.01)
    assert looks == 10 and last_change > ended - 0.05  # 0.5 s of looks 0.05 s apart, changing to the end


def test_a_new_index_takes_the_old_one_s_place_whole(tmp_path):
    final, new = tmp_path / "pagefind", tmp_path / "pagefind.new"
    final.mkdir()
    (final / "old-fragment.pf").write_text("old")
    new.mkdir()
    (new / "pagefind-entry.json").write_text("{}")
    search_index.replace_folder(new, final)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pagefind"]  # nothing set aside is left
    assert sorted(p.name for p in final.iterdir()) == ["pagefind-entry.json"]
    newer = tmp_path / "newer"
    newer.mkdir()
    search_index.replace_folder(newer, tmp_path / "first")  # no index before: just moved in
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "pagefind"]


def test_a_left_over_old_index_of_a_crashed_build_is_cleared(tmp_path):
    from pipeline.files import TEMP_MARK

    final, new = tmp_path / "pagefind", tmp_path / "new"
    left = tmp_path / f".pagefind.old{TEMP_MARK}{os.getpid()}"  # a crash between the two renames
    (left / "x").mkdir(parents=True)
    final.mkdir()
    new.mkdir()
    search_index.replace_folder(new, final)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pagefind"]


def test_without_the_binary_the_build_says_how_to_install_it(monkeypatch, tmp_path):
    search_index.executable.cache_clear()
    monkeypatch.setattr(search_index, "get_executable", lambda: None)
    with pytest.raises(MissingToolError, match=r"^no pagefind binary \(the pagefind\[extended\] package\); run 'make build' to install the project$"):
        search_index.executable()
    monkeypatch.setattr(search_index, "get_executable", lambda: tmp_path / "gone")
    with pytest.raises(MissingToolError):
        search_index.executable()
    search_index.executable.cache_clear()


def test_the_version_is_pagefind_s_own_line_or_unknown(monkeypatch, tmp_path):
    search_index.version.cache_clear()
    assert search_index.version().startswith("pagefind 1.")
    silent = tmp_path / "silent"
    silent.write_text("#!/bin/sh\necho '  ' \n")
    silent.chmod(0o755)
    search_index.version.cache_clear()
    monkeypatch.setattr(search_index, "executable", lambda: Path(silent))
    assert search_index.version() == "unknown"
    search_index.version.cache_clear()


def test_the_staging_folder_clears_what_killed_builds_left(tmp_path):
    from pipeline.files import TEMP_MARK

    final = tmp_path / "pagefind"
    left = [tmp_path / f".pagefind{TEMP_MARK}123", tmp_path / f".pagefind.old{TEMP_MARK}456"]
    for folder in left:
        (folder / "fragment").mkdir(parents=True)
    kept = tmp_path / f".pagefind-entry.json{TEMP_MARK}789"  # a file: the engine's to clear
    kept.write_text("x")
    staging = search_index.staging_folder(final)
    assert staging == tmp_path / f".pagefind{TEMP_MARK}{os.getpid()}"
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept.name]
