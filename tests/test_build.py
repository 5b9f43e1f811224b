"""Whole builds with the real stages, on short generated recordings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import numpy as np
import pytest
import webvtt
from click.testing import CliRunner

from pipeline.build import build, unpublished_note
from pipeline.cli import cli
from pipeline.records import Episode, Transcript
from tests.conftest import AIM_LU, ebur128, word_error_rate, write_wav
from tests.recorded import duo_host_episode, recording, replaying


class Ran:
    """Progress callback that remembers which (scope, stage) did work."""

    def __init__(self) -> None:
        self.ran: set[tuple[str, str]] = set()

    def __call__(self, scope, stage, state, outcome) -> None:
        if state == "ran":
            self.ran.add((scope, stage))

    def stages(self, scope: str) -> set[str]:
        return {stage for s, stage in self.ran if s == scope}


def run(root: Path, **kwargs) -> tuple[Ran, object]:
    ran = Ran()
    report = build(root, progress=ran, **kwargs)
    return ran, report


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


EPISODE = 'title = "Premier épisode"\npublished = 2026-01-05T10:00:00+01:00\nnumber = 1\n'


@pytest.mark.slow  # loads the Whisper model
def test_rebuild_does_nothing_and_edits_redo_only_what_follows(show_root, add_episode):
    folder = add_episode("001-premier", EPISODE)
    ran, report = run(show_root)
    assert report.ok and report.published == ["001-premier"]
    assert ran.stages("001-premier") == {"normalise", "transcribe", "diarize", "correct", "chapters", "quotes", "notes", "tag"}
    assert ran.stages("show") == {"feed", "site", "search"}
    public = show_root / "public"
    for path in (
        "feed.xml",
        "index.html",
        "style.css",
        "artwork.png",
        "audio/001-premier.mp3",
        "episodes/001-premier/index.html",
        "episodes/001-premier/transcript.vtt",
    ):
        assert (public / path).is_file(), path

    ran, report = run(show_root)
    assert ran.ran == set() and report.ok

    edit(folder / "episode.toml", "Premier épisode", "Le tout premier épisode")
    ran, _ = run(show_root)
    assert ran.stages("001-premier") == {"notes", "tag"}
    assert ran.stages("show") == {"feed", "site", "search"}
    assert feedparser.parse(str(public / "feed.xml")).entries[0].title == "Le tout premier épisode"

    with (show_root / "podcast.toml").open("a") as f:
        f.write("[loudness]\ntarget = -18.0\n")
    ran, report = run(show_root)
    # Whisper hears the programme before the gain, so a new target does not transcribe again;
    # the notes depend on the transcript and the duration, which the gain leaves as they were.
    assert ran.stages("001-premier") == {"normalise", "tag"}
    assert ran.stages("show") == {"feed", "site"}  # the search shows no loudness: no new index
    assert ebur128(show_root / "public" / "audio" / "001-premier.mp3")["integrated"] == pytest.approx(-18.0, abs=AIM_LU)


@pytest.mark.slow  # loads the Whisper model
def test_force_and_only(show_root, add_episode):
    add_episode("001-premier", EPISODE)
    run(show_root)
    ran, _ = run(show_root, force=True, only="normalise")
    assert ran.ran == {("001-premier", "normalise")}
    # The encode is deterministic: the same bytes again, so nothing after it needs redoing.
    ran, report = run(show_root)
    assert ran.ran == set() and report.published == ["001-premier"]


@pytest.mark.slow  # loads the Whisper model
def test_building_one_episode_never_drops_the_others_from_the_feed(show_root, add_episode):
    add_episode("001-premier", EPISODE)
    add_episode("002-second", EPISODE.replace("Premier", "Second").replace("number = 1", "number = 2"))
    run(show_root)
    with (show_root / "podcast.toml").open("a") as f:
        f.write('[transcription]\nglossary = ["portage salarial"]\n')  # both transcripts are now stale
    ran, report = run(show_root, slugs=["001-premier"])
    assert ("001-premier", "transcribe") in ran.ran and ran.stages("002-second") == set()
    assert ran.stages("show") == set() and set(report.show.values()) == {"stale"}
    assert len(feedparser.parse(str(show_root / "public" / "feed.xml")).entries) == 2
    ran, report = run(show_root)
    assert ran.stages("show") == {"feed", "site", "search"} and report.published == ["001-premier", "002-second"]


@pytest.mark.slow  # loads the Whisper model
def test_one_bad_episode_does_not_stop_the_others(show_root, add_episode):
    add_episode("001-bon", EPISODE)
    add_episode("002-typo", 'titre = "Oups"\npublished = 2026-01-06\n')
    broken = add_episode("003-casse", 'title = "Cassé"\npublished = 2026-01-07\n', audio_name="")
    (broken / "enregistrement.m4a").write_text("pas du son")
    (show_root / "episodes" / "004-sans-toml").mkdir()

    result = CliRunner().invoke(cli, ["build", "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "002-typo/episode.toml:1: unknown key 'titre' (did you mean 'title'?)" in result.output
    assert "003-casse/enregistrement.m4a: ffmpeg finds no audio" in result.output
    assert "004-sans-toml: no episode.toml" in result.output
    feed = feedparser.parse(str(show_root / "public" / "feed.xml"))
    assert [e.title for e in feed.entries] == ["Premier épisode"]
    assert sorted(p.name for p in (show_root / "public" / "audio").iterdir()) == ["001-bon.mp3"]

    status = CliRunner().invoke(cli, ["status", "--root", str(show_root)], catch_exceptions=False)
    lines = {line.split()[0]: line for line in status.output.splitlines() if line.startswith("00")}
    assert lines["001-bon"].split()[1:6] == ["fresh"] * 5
    assert "failed" in lines["003-casse"]


@pytest.mark.parametrize(
    "now, note",
    [
        (datetime(2026, 6, 1, 8, 29, 59, tzinfo=timezone.utc), "scheduled"),
        (datetime(2026, 6, 1, 8, 30, tzinfo=timezone.utc), None),  # its minute has come: out it goes
        (datetime(2026, 6, 1, 8, 30, 1, tzinfo=timezone.utc), None),
    ],
)
def test_a_scheduled_episode_is_published_from_its_very_minute(tmp_path, now, note):
    episode = Episode("003-programme", tmp_path, "Plus tard", datetime(2026, 6, 1, 8, 30, tzinfo=timezone.utc), ())
    assert unpublished_note(episode, now) == note
    assert unpublished_note(Episode("002-brouillon", tmp_path, "Brouillon", episode.published, (), draft=True), now) == "draft"


@pytest.mark.slow  # loads the Whisper model
def test_drafts_and_scheduled_episodes_stay_out_of_public(show_root, add_episode):
    add_episode("001-publie", EPISODE)
    add_episode("002-brouillon", 'title = "Brouillon"\npublished = 2026-01-06\ndraft = true\n')
    add_episode("003-programme", 'title = "Plus tard"\npublished = 2026-06-01\n')
    now = datetime(2026, 2, 1, tzinfo=timezone.utc)
    _, report = run(show_root, now=now)
    assert report.ok and report.published == ["001-publie"]
    assert {e.slug: e.note for e in report.episodes} == {"001-publie": None, "002-brouillon": "draft", "003-programme": "scheduled"}
    assert [p.name for p in (show_root / "public" / "audio").iterdir()] == ["001-publie.mp3"]
    # Once its date has come, the scheduled episode is published without redoing its audio.
    ran, report = run(show_root, now=datetime(2026, 7, 1, tzinfo=timezone.utc))
    assert report.published == ["001-publie", "003-programme"]
    assert ran.stages("003-programme") == {"tag"}


@pytest.mark.slow  # loads the Whisper model
def test_removed_episode_leaves_public(show_root, add_episode):
    add_episode("001-premier", EPISODE)
    second = add_episode("002-second", 'title = "Second"\npublished = 2026-01-12\n')
    run(show_root)
    assert (show_root / "public" / "episodes" / "002-second" / "index.html").is_file()
    for file in second.iterdir():
        file.unlink()
    second.rmdir()
    _, report = run(show_root)
    assert report.published == ["001-premier"]
    assert not (show_root / "public" / "episodes" / "002-second").exists()
    assert not (show_root / "public" / "audio" / "002-second.mp3").exists()


def test_an_episode_turned_back_into_a_draft_leaves_public(show_root, add_episode, no_whisper):
    add_episode("001-premier", EPISODE)
    second = add_episode("002-second", 'title = "Second"\npublished = 2026-01-12\n')
    assert build(show_root).ok
    public = show_root / "public"
    assert (public / "audio" / "002-second.mp3").is_file() and (public / "episodes" / "002-second").is_dir()
    edit(second / "episode.toml", 'title = "Second"', 'title = "Second"\ndraft = true')
    report = build(show_root)
    assert report.ok and report.published == ["001-premier"]
    assert sorted(p.name for p in (public / "audio").iterdir()) == ["001-premier.mp3"]  # not left for anyone to fetch
    assert sorted(p.name for p in (public / "episodes").iterdir()) == ["001-premier"]
    assert [e.title for e in feedparser.parse(str(public / "feed.xml")).entries] == ["Premier épisode"]


@pytest.mark.slow  # loads the Whisper model
def test_a_killed_build_finishes_on_the_next_run(show_root, add_episode):
    folder = add_episode("001-long", EPISODE, audio_name="")
    rate, seconds = 44100, 150  # long enough for ffmpeg to be caught writing
    t = np.arange(rate * seconds) / rate
    write_wav(folder / "long.wav", 0.1 * np.sin(2 * np.pi * 220 * t), rate)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "pipeline", "build", "--root", str(show_root)]
    # A session of its own, so one signal kills the build and its ffmpeg alike.
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    cache = show_root / ".build" / "episodes" / "001-long"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(cache.glob(".levelled.mp3.tmp-*")):
        time.sleep(0.05)
    time.sleep(0.2)  # let ffmpeg write part of the MP3
    assert process.poll() is None, "the build ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    ran, report = run(show_root)
    assert report.ok and report.published == ["001-long"]
    assert "normalise" in ran.stages("001-long")
    leftovers = [p for p in show_root.rglob("*") if ".tmp-" in p.name]
    assert leftovers == []
    ran, _ = run(show_root)
    assert ran.ran == set()


# What tests/data/duo-host.m4a says (scripts/make_test_duo.py). Each fix spans a whole turn with
# a margin in the pauses around it: the recorded transcripts, on every machine, hear the first
# line from 0.24 s to 4.3 s and the second from 9.94 s to 13.4 s (the track is 13.2 s once trimmed).
SAID = ("Bonjour Inès, merci d'être venue dans le studio aujourd'hui.", "Alors, comment as-tu trouvé tes premiers clients ?")
CORRECTIONS = f"""\
[[fix]]
start = "00:00"
end = "00:06"
text = "{SAID[0]}"
[[fix]]
start = "00:08"
end = "00:14"
text = "{SAID[1]}"
"""


# Two machines' transcripts of the host's track (tests/data/whisper-elsewhere): the first build
# hears one, the new transcription the other, as Whisper hears otherwise on another CPU or with
# another prompt. AMD heard "Bonjour les mecs, …", the Intel Xeon "Bonjour INS, …".
@pytest.mark.parametrize("first, second", [("amd-epyc-avx2", "intel-xeon-avx512"), ("intel-xeon-avx512", "amd-epyc-avx512")])
def test_corrections_reapply_without_whisper_and_after_it(show_root, first, second):
    """Editing corrections.toml redoes the corrections and what follows, never the transcription;
    a new transcription, whatever Whisper hears this time, is corrected again."""
    folder = show_root / "episodes" / duo_host_episode(show_root)
    raw_path = show_root / ".build" / "episodes" / "001-duo" / "transcript.json"

    def published() -> str:
        vtt = webvtt.read(str(show_root / "public" / "episodes" / "001-duo" / "transcript.vtt"))
        return " ".join(caption.text for caption in vtt)

    with replaying({"001-duo": recording(first, "duo-host")}) as whisper:
        ran, report = run(show_root)
        assert report.ok, report.failures
        heard = Transcript.load(raw_path).text
        assert heard == Transcript.load(recording(first, "duo-host")).text
        assert word_error_rate(" ".join(SAID), published()) > 0.3  # mistakes to correct

        (folder / "corrections.toml").write_text(CORRECTIONS, encoding="utf-8")
        ran, report = run(show_root)
        assert report.ok, report.failures
        assert "correct" in ran.stages("001-duo") <= {"correct", "chapters", "quotes", "notes"}  # never Whisper again
        assert len(whisper.calls) == 1
        assert word_error_rate(" ".join(SAID), published()) == 0

        whisper.heard["001-duo"] = recording(second, "duo-host")  # what Whisper hears next time
        with (show_root / "podcast.toml").open("a", encoding="utf-8") as f:
            f.write('[transcription]\nglossary = ["TJM"]\n')  # a new prompt: transcribed again
        ran, report = run(show_root)
        assert report.ok, report.failures
        assert {"transcribe", "correct"} <= ran.stages("001-duo") and len(whisper.calls) == 2
        assert Transcript.load(raw_path).text == Transcript.load(recording(second, "duo-host")).text != heard
        assert word_error_rate(" ".join(SAID), published()) == 0

        (folder / "corrections.toml").write_text("[replace]\nx = 1\n", encoding="utf-8")
        ran, report = run(show_root)
        assert not report.ok and "corrections.toml" in report.failures[0].message
        assert report.failures[0].stage == "correct"


def test_a_stage_s_new_version_redoes_that_stage_and_the_same_version_skips_it(show_root, add_episode, no_whisper, monkeypatch):
    """README, "How a build decides what to redo": "Each stage declares its version"; its
    fingerprint holds it. The same bytes rewritten leave what follows as it was."""
    from pipeline.stages.notes import Notes

    add_episode("001-premier", EPISODE)
    assert run(show_root)[1].ok
    ran, report = run(show_root)
    assert ran.ran == set() and report.ok  # same versions: every stage skipped
    monkeypatch.setattr(Notes, "version", Notes.version + 1)
    ran, report = run(show_root)
    assert report.ok and ran.stages("001-premier") == {"notes"}
    ran, _ = run(show_root)
    assert ran.ran == set()


def test_force_redoes_and_only_runs_one_stage(show_root, add_episode, no_whisper):
    """README, "Commands": `--force` redoes work even when nothing changed; `--only STAGE` runs one stage."""
    add_episode("001-premier", EPISODE)
    run(show_root)
    ran, _ = run(show_root, force=True, only="notes")
    assert ran.ran == {("001-premier", "notes")}
    ran, _ = run(show_root, force=True)
    assert ran.stages("001-premier") == {"normalise", "transcribe", "diarize", "correct", "chapters", "quotes", "notes", "tag"}
    assert ran.stages("show") == {"feed", "site", "search"}
    ran, report = run(show_root)
    assert ran.ran == set() and report.published == ["001-premier"]
