"""Dask.transcribe's bookkeeping on an in-process cluster (a worker thread, no model): each
episode comes back once all its recordings have, in their order; a recording that cannot be read
or transcribed fails its episode alone; episodes are read only as the workers have room. The
model on worker processes is test_dask.py's (slow)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.errors import StageError
from pipeline.records import Segment, Transcript, Transcription
from pipeline.speech import executors
from pipeline.speech.executors import Dask, Heard, Request
from pipeline.speech.transcriber import engine_identity


class Reads:
    """A transcriber that 'hears' the bytes of the file it is given; a file saying FAIL fails as
    the project's code fails, one saying CRASH as a bug or a broken worker would, one starting
    with "slow" takes 0.5 s. The workers are threads of this process: `heard` counts for them all."""

    heard: list[str] = []

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        said = path.read_text(encoding="utf-8")
        Reads.heard.append(said)
        if said == "FAIL":
            raise StageError(f"{path}: no speech heard")
        if said == "CRASH":
            raise RuntimeError("the decoder gave up")
        if said.startswith("slow"):
            time.sleep(0.5)
        return Transcript(language, 1.0, (Segment(0.0, 1.0, said),))


@pytest.fixture(scope="module")
def dask():
    from distributed import LocalCluster

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(executors, "load", lambda settings, root: Reads())
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
            with Dask(cluster.scheduler_address) as dask:
                yield dask


def requests(tmp_path: Path, episode: str, *said: str) -> list[Request]:
    settings = Transcription()
    found = []
    for i, text in enumerate(said):
        path = tmp_path / episode / f"track{i}.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is not None:
            path.write_text(text, encoding="utf-8")
        found.append(Request(path, settings, tmp_path, engine_identity(settings, tmp_path), "fr", ""))
    return found


def texts(heard: Heard) -> list[str]:
    return [t.segments[0].text for t in heard.get()]


def test_each_episode_comes_back_with_its_recordings_in_their_order(dask, tmp_path):
    asked = [("a", requests(tmp_path, "a", "un", "deux", "trois")), ("b", requests(tmp_path, "b", "quatre")), ("c", requests(tmp_path, "c", "cinq"))]
    back = dict(dask.transcribe(iter(asked)))
    assert {key: texts(heard) for key, heard in back.items()} == {"a": ["un", "deux", "trois"], "b": ["quatre"], "c": ["cinq"]}
    assert all(t.language == "fr" for heard in back.values() for t in heard.get())


def test_a_recording_that_fails_fails_its_episode_alone(dask, tmp_path):
    asked = [("a", requests(tmp_path, "a", "un", "FAIL", "trois")), ("b", requests(tmp_path, "b", "quatre"))]
    back = dict(dask.transcribe(iter(asked)))
    assert texts(back["b"]) == ["quatre"]
    assert back["a"].transcripts == ()
    path = tmp_path / "a" / "track1.flac"
    assert back["a"].error.startswith(f"{path}: no speech heard (transcribed on worker ")  # the build's path, not the worker's copy
    with pytest.raises(StageError, match="no speech heard"):
        back["a"].get()


def test_recordings_back_at_once_with_one_that_failed(dask, tmp_path, monkeypatch):
    """The failed recording's episode is dropped while the others of the same wait are still to
    be read (they had been forgotten with it: a KeyError stopped the whole build, seen once in a
    clean run). Each wait here returns every recording, in the order sent."""
    import distributed

    real_wait = distributed.wait

    def every_one(futures, return_when):
        real_wait(futures)
        return list(futures), set()

    monkeypatch.setattr(distributed, "wait", every_one)
    asked = [("a", requests(tmp_path, "a", "un", "FAIL", "trois")), ("b", requests(tmp_path, "b", "quatre"))]
    back = dict(dask.transcribe(iter(asked)))
    assert texts(back["b"]) == ["quatre"]
    assert back["a"].error.startswith(f"{tmp_path / 'a' / 'track1.flac'}: no speech heard")


def test_a_recording_that_cannot_be_read_is_named(dask, tmp_path):
    missing = requests(tmp_path, "a", None)
    back = list(dask.transcribe(iter([("a", missing), ("b", requests(tmp_path, "b", "deux"))])))
    assert [key for key, _ in back] == ["a", "b"]
    assert back[0][1].error == f"{missing[0].path}: could not read it to send it to the cluster: No such file or directory"
    assert texts(back[1][1]) == ["deux"]


def test_episodes_are_read_only_as_the_workers_have_room(dask, tmp_path):
    """One worker thread, two recordings in flight each: the third episode is asked for only once
    one of the first two is back."""
    read: list[str] = []

    def episodes():
        for key in ("a", "b", "c"):
            read.append(key)
            yield key, requests(tmp_path, key, key)

    seen = []
    for key, heard in dask.transcribe(episodes()):
        seen.append((key, list(read)))
    assert seen[0][1] == ["a", "b"]
    assert sorted(key for key, _ in seen) == ["a", "b", "c"] and seen[-1][1] == ["a", "b", "c"]


def test_nothing_to_transcribe_returns_at_once(dask):
    assert list(dask.transcribe(iter([]))) == []


def test_the_cluster_is_described(dask):
    assert dask.describe() == f"on the Dask cluster at {dask.address} (1 worker thread(s))"


def test_a_recording_that_crashes_on_the_worker_is_named_with_what_was_raised_and_tried_once(dask, tmp_path):
    Reads.heard.clear()
    back = dict(dask.transcribe(iter([("a", requests(tmp_path, "a", "CRASH"))])))
    path = tmp_path / "a" / "track0.flac"
    assert back["a"].error == f"{path}: transcription on the cluster failed: RuntimeError: the decoder gave up"
    assert Reads.heard == ["CRASH"]  # not retried: the same recording would fail again


def test_a_failed_episode_leaves_the_recordings_of_the_others_running(dask, tmp_path):
    """The first episode fails while the second's recordings are still on the worker: only the
    failed one's are let go."""
    asked = [("a", requests(tmp_path, "a", "FAIL")), ("b", requests(tmp_path, "b", "slow un", "slow deux"))]
    back = list(dask.transcribe(iter(asked)))
    assert [key for key, _ in back] == ["a", "b"] and texts(back[1][1]) == ["slow un", "slow deux"]


def test_two_worker_threads_have_room_for_four_recordings(tmp_path, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setattr(executors, "load", lambda settings, root: Reads())
    read: list[str] = []

    def episodes():
        for key in "abcdef":
            read.append(key)
            yield key, requests(tmp_path, key, "slow " + key)

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        with Dask(cluster.scheduler_address) as two:
            first = next(iter(two.transcribe(episodes())))
    assert first[0] in "abcd" and read[:4] == ["a", "b", "c", "d"] and len(read) == 4


def test_closing_lets_the_client_go_and_a_half_made_executor_closes_quietly(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        dask = Dask(cluster.scheduler_address)
        dask.close()
        assert dask.client.status == "closed" and dask.cluster is None
    half = Dask.__new__(Dask)  # its client could not be made: __init__ closes what it started
    half.cluster = None
    half.close()
