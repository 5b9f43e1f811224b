"""The normalise and tag stages alone (no transcription, no feed): what normalise hands on and
what tag publishes, with the AAC alternate and without, a track per speaker, and when tag runs again."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from pipeline.config import load_episode, load_show
from pipeline.engine import State, Store, run_stage
from pipeline.jobs import EpisodeJob, Paths, Resources
from pipeline.records import Chapter
from pipeline.results import Chaptered, Levelled, Tagged
from pipeline.stages.normalise import Normalise
from pipeline.stages.tag import Tag
from tests.conftest import ebur128, speechlike, write_wav

SCOPE = "episodes/007-portage"


def episode_job(show_root: Path, folder: Path) -> EpisodeJob:
    show = load_show(show_root)
    return EpisodeJob(show=show, episode=load_episode(folder, show), paths=Paths(show_root), resources=Resources())


def levelled_job(show_root: Path, aac: bool) -> tuple[EpisodeJob, Store]:
    """An episode of 3 s through the normalise stage, with the chapters the tag stage reads."""
    if aac:
        with (show_root / "podcast.toml").open("a", encoding="utf-8") as f:
            f.write("[audio]\naac = true\n")
    folder = show_root / "episodes" / "007-portage"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(3, -20, noise=0))
    (folder / "episode.toml").write_text('title = "Le portage"\npublished = 2026-03-02\nnumber = 7\n', encoding="utf-8")
    job = episode_job(show_root, folder)
    store = Store(show_root / ".build")
    outcome = run_stage(Normalise(), job, store, SCOPE)
    assert outcome.state == State.RAN, outcome.error
    job.results.add(outcome.record.result)
    chapters = job.cache / "chapters.json"
    chapters.write_text("{}", encoding="utf-8")
    job.results.add(Chaptered((Chapter(0.0, "Intro"), Chapter(1.5, "Le portage")), automatic=False, file=chapters))
    return job, store


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_mp3_and_the_aac_alternate_are_published_tagged_and_the_cache_left_as_it_was(show_root):
    job, store = levelled_job(show_root, aac=True)
    levelled = job.results[Levelled]
    before = (sha256(levelled.audio), sha256(levelled.aac))
    outcome = run_stage(Tag(), job, store, SCOPE)
    assert outcome.state == State.RAN, outcome.error
    mp3, m4a = show_root / "public" / "audio" / "007-portage.mp3", show_root / "public" / "audio" / "007-portage.m4a"
    assert outcome.record.result == Tagged(mp3, mp3.stat().st_size, m4a, m4a.stat().st_size)
    assert ID3(mp3)["TIT2"].text == ["Le portage"] and [c.element_id for c in ID3(mp3).getall("CHAP")] == ["chp0", "chp1"]
    assert MP4(m4a)["\xa9nam"] == ["Le portage"] and MP4(m4a)["trkn"] == [(7, 0)]
    assert (sha256(levelled.audio), sha256(levelled.aac)) == before  # tagged copies, never the cache's files
    assert sha256(mp3) != before[0] and sha256(m4a) != before[1]
    assert set(outcome.record.outputs) == {"mp3", "m4a"}


def test_without_aac_only_the_mp3(show_root):
    job, store = levelled_job(show_root, aac=False)
    outcome = run_stage(Tag(), job, store, SCOPE)
    mp3 = show_root / "public" / "audio" / "007-portage.mp3"
    assert outcome.record.result == Tagged(mp3, mp3.stat().st_size, None, None)
    assert set(outcome.record.outputs) == {"mp3"} and not (show_root / "public" / "audio" / "007-portage.m4a").exists()


@pytest.mark.parametrize("aac", [True, False])
def test_tagged_again_when_the_levelled_audio_changes_and_not_otherwise(show_root, aac):
    job, store = levelled_job(show_root, aac=aac)
    assert run_stage(Tag(), job, store, SCOPE).state == State.RAN
    assert run_stage(Tag(), job, store, SCOPE).state == State.FRESH
    levelled = job.results[Levelled]
    changed = levelled.aac if aac else levelled.audio
    changed.write_bytes(changed.read_bytes() + b"\0")  # a file it reads, other bytes
    assert run_stage(Tag(), job, store, SCOPE).state == State.RAN


def test_the_normalise_stage_names_its_files_and_reports_what_the_file_measures(show_root):
    """What the tag stage (and the feed, the report) read of the normalise stage: its files in the
    episode's cache, and the loudness of the MP3 as ffmpeg measures it."""
    job, _ = levelled_job(show_root, aac=True)
    levelled, cache = job.results[Levelled], job.cache
    assert (levelled.audio, levelled.speech, levelled.aac) == (cache / "levelled.mp3", cache / "speech.flac", cache / "levelled.m4a")
    assert all(path.is_file() for path in (levelled.audio, levelled.speech, levelled.aac))
    assert (levelled.tracks, levelled.speakers, levelled.bitrate) == ((), (), "64k")
    measured = ebur128(levelled.audio)
    assert levelled.integrated == pytest.approx(measured["integrated"], abs=0.1)
    assert levelled.true_peak == pytest.approx(measured["true_peak"], abs=0.2) and levelled.true_peak <= -1.0 + 0.2
    assert levelled.lra == pytest.approx(measured["lra"], abs=0.5)
    assert isinstance(levelled.limited, bool)
    assert not (cache / "work").exists()  # the stage's scratch folder goes once it is done


def test_a_multitrack_episode_keeps_a_track_per_speaker(show_root):
    folder = show_root / "episodes" / "008-duo"
    folder.mkdir()
    write_wav(folder / "camille.wav", speechlike(3, -20, noise=0, seed=1))
    write_wav(folder / "ines.wav", speechlike(3, -26, noise=0, seed=2))
    (folder / "episode.toml").write_text(
        'title = "Duo"\npublished = 2026-03-02\n[tracks]\n"Camille Durand" = "camille.wav"\n"Inès Moreau" = "ines.wav"\n', encoding="utf-8"
    )
    job = episode_job(show_root, folder)
    outcome = run_stage(Normalise(), job, Store(show_root / ".build"), "episodes/008-duo")
    levelled = outcome.record.result
    assert levelled.tracks == (job.cache / "track0.flac", job.cache / "track1.flac") and all(t.is_file() for t in levelled.tracks)
    assert levelled.speakers == ("Camille Durand", "Inès Moreau") and levelled.aac is None
    assert set(outcome.record.outputs) == {"audio", "speech", "track0", "track1"}
