"""The build's walk with transcriptions sent elsewhere (build._transcribe_elsewhere), on an
in-process Dask cluster and a transcriber that hears nothing (tones): the same show published as a
build here publishes it, and a second build sends nothing. The model on worker processes is
tests/speech/test_dask.py's (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.speech import executors
from pipeline.speech.executors import Dask
from tests.conftest import HearsNothing, new_show, speechlike, write_wav

EPISODES = {
    "001-premier": 'title = "Premier"\npublished = 2026-01-05\n',
    "002-second": 'title = "Second"\npublished = 2026-01-12\n',
    "003-brouillon": 'title = "Brouillon"\npublished = 2026-01-19\ndraft = true\n',
}


def show(root: Path) -> Path:
    new_show(root)
    for seed, (slug, toml) in enumerate(EPISODES.items(), start=1):
        folder = root / "episodes" / slug
        folder.mkdir()
        seconds = 5 if slug == "002-second" else 3  # told apart on a worker, which sees no slug
        write_wav(folder / "enregistrement.wav", speechlike(seconds, -20, noise=0, seed=seed))
        (folder / "episode.toml").write_text(toml, encoding="utf-8")
    return root


@pytest.fixture
def dask(monkeypatch):
    from distributed import LocalCluster

    from pipeline.stages import transcribe

    monkeypatch.setattr(executors, "load", lambda settings, root: HearsNothing())
    monkeypatch.setattr(transcribe, "load", lambda *args, **kwargs: HearsNothing())
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        with Dask(cluster.scheduler_address) as dask:
            yield dask


def published(root: Path) -> dict[str, bytes]:
    public = root / "public"
    return {str(p.relative_to(public)): p.read_bytes() for p in sorted(public.rglob("*")) if p.is_file() and "pagefind" not in p.parts}


def test_a_build_on_a_cluster_publishes_what_a_build_here_does(dask, tmp_path):
    there, here = show(tmp_path / "a" / "show"), show(tmp_path / "b" / "show")
    sent = executors.transcribed
    report = build(there, executor=dask)
    assert report.ok, report.failures
    assert executors.transcribed - sent == 3  # each episode's recording, the draft's too
    local = build(here)
    assert [(s.slug, s.states, s.note) for s in report.episodes] == [(s.slug, s.states, s.note) for s in local.episodes]
    assert report.published == local.published == ["001-premier", "002-second"]
    assert published(there) == published(here)
    again = build(there, executor=dask)
    assert executors.transcribed - sent == 3  # nothing sent: every transcript is fresh
    assert all(state == "fresh" for s in again.episodes for state in s.states.values() if state not in ("draft",))


def test_only_the_episodes_asked_for_are_sent(dask, tmp_path):
    root = show(tmp_path / "show")
    sent = executors.transcribed
    report = build(root, slugs=["002-second"], executor=dask)
    assert executors.transcribed - sent == 1
    states = {s.slug: s.states["transcribe"] for s in report.episodes}
    assert states == {"001-premier": "waiting", "002-second": "ran", "003-brouillon": "waiting"}  # never levelled: not reached


def test_a_recording_the_cluster_fails_fails_its_episode_alone(dask, tmp_path, monkeypatch):
    from pipeline.errors import StageError

    from pipeline.audio import ffmpeg

    class FailsOnSecond(HearsNothing):
        def transcribe(self, path, language, prompt="", progress=None):
            if ffmpeg.probe(path).duration > 4:  # 002-second's
                raise StageError(f"{path}: no speech heard")
            return super().transcribe(path, language, prompt, progress)

    monkeypatch.setattr(executors, "load", lambda settings, root: FailsOnSecond())
    root = show(tmp_path / "show")
    report = build(root, executor=dask)
    [failure] = report.failures
    speech = root / ".build" / "episodes" / "002-second" / "speech.flac"
    assert (failure.where, failure.stage) == ("002-second", "transcribe")
    assert failure.message.startswith(f"{speech}: no speech heard (transcribed on worker ")  # the build's file, not the worker's copy
    assert report.published == ["001-premier"]
