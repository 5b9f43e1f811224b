"""Dask.transcribe's bookkeeping on an in-process cluster (a worker thread, no model): each
episode comes back once all its recordings have, in their order; a recording that cannot be read
or transcribed fails its episode alone; episodes are read only as the workers have room. The
model on worker processes is test_dask.py's (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import StageError
from pipeline.records import Segment, Transcript, Transcription
from pipeline.speech import executors
from pipeline.speech.executors import Dask, Heard, Request
from pipeline.speech.transcriber import engine_identity


class Reads:
    """A transcriber that 'hears' the bytes of the file it is given; a file saying FAIL fails."""

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        said = path.read_text(encoding="utf-8")
        if said == "FAIL":
            raise StageError(f"{path}: no speech heard")
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
