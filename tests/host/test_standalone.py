"""`podcast transcribe` outside any show, with a scripted Whisper: each file written in every
format asked for, a file that fails reported while the others go on, the cores shared."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import PipelineError
from pipeline.host import standalone
from pipeline.records import Loudness, Transcription
from tests.conftest import DATA, speechlike, write_wav
from tests.speech.scripted import ScriptedWhisper


@pytest.fixture
def loaded(monkeypatch):
    """What `load` was asked for, and the scripted Whisper it gives back."""
    asked: list[dict] = []

    def load(settings: Transcription, root, threads: int = 0, workers: int = 0):
        assert root == Path.cwd()  # a model folder named on the command line is relative to where it runs
        asked.append({"engine": settings.engine, "model": settings.model, "threads": threads, "workers": workers})
        return ScriptedWhisper(["Bonjour à tous."])

    monkeypatch.setattr(standalone, "load", load)
    return asked


def test_each_file_is_written_in_every_format_and_a_broken_one_is_named(tmp_path, loaded):
    good = shutil.copyfile(DATA / "duo-host.m4a", tmp_path / "entretien.m4a")
    broken = tmp_path / "cassé.m4a"
    broken.write_text("pas du son")
    out = tmp_path / "textes"
    result = CliRunner().invoke(cli, ["transcribe", str(broken), str(good), "-o", str(out), "--format", "vtt,txt"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "cassé.m4a" in result.stderr and "✗" in result.stderr
    assert f"{good}: 3 words, 1 segments → {out}/entretien.*" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["entretien.txt", "entretien.vtt"]
    assert (out / "entretien.txt").read_text(encoding="utf-8").strip() == "Bonjour à tous."
    assert (out / "entretien.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert loaded == [{"engine": "faster-whisper", "model": "base", "threads": 0, "workers": 0}]


def test_files_come_back_in_the_order_given_with_two_at_once(tmp_path, loaded):
    names = ["c.m4a", "a.m4a", "b.m4a"]
    inputs = tuple(shutil.copyfile(DATA / "duo-host.m4a", tmp_path / name) for name in names)
    transcriber = standalone.load_transcriber("faster-whisper", "base", 2)
    heard = list(standalone.transcribe_files(transcriber, inputs, tmp_path, [], "fr", "", 2))
    assert [source.name for source, _ in heard] == names
    assert [t.text for _, t in heard] == ["Bonjour à tous."] * 3


@pytest.mark.parametrize(("cores", "jobs", "threads", "workers"), [(8, 1, 0, 0), (8, 2, 4, 2), (8, 3, 2, 3), (2, 16, 1, 16), (None, 2, 1, 2)])
def test_files_at_once_share_the_cores(monkeypatch, loaded, cores, jobs, threads, workers):
    # One job: the engine's own default threads (0); more: the cores split between them, at least one each.
    monkeypatch.setattr(standalone.os, "cpu_count", lambda: cores)
    standalone.load_transcriber("openai-whisper", "small", jobs)
    assert loaded == [{"engine": "openai-whisper", "model": "small", "threads": threads, "workers": workers}]


def test_a_model_that_cannot_load_is_one_clear_error(monkeypatch, tmp_path):
    def fails(*args, **kwargs):
        raise RuntimeError("Unable to open file 'model.bin'")

    monkeypatch.setattr(standalone, "load", fails)
    with pytest.raises(PipelineError) as raised:
        standalone.load_transcriber("faster-whisper", "medium", 1)
    assert str(raised.value) == "could not load the model 'medium': Unable to open file 'model.bin'"
    result = CliRunner().invoke(cli, ["transcribe", str(DATA / "duo-host.m4a"), "-o", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 1 and "could not load the model 'base': Unable to open file 'model.bin'" in result.output


def test_a_pipeline_error_of_the_loader_keeps_its_own_message(monkeypatch):
    def fails(*args, **kwargs):
        raise PipelineError("the model 'tiny' is not installed: pip install ...")

    monkeypatch.setattr(standalone, "load", fails)
    with pytest.raises(PipelineError, match=r"^the model 'tiny' is not installed: pip install \.\.\.$"):
        standalone.load_transcriber("faster-whisper", "tiny", 1)


def test_normalise_files_goes_on_after_a_broken_one_into_a_folder_it_makes(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"not audio at all")
    good = write_wav(tmp_path / "good.wav", speechlike(4.0, -30.0))
    out = tmp_path / "levelled" / "jingles"  # neither folder there yet
    results = list(standalone.normalise_files((broken, good), out, Loudness()))
    assert [(path, type(result).__name__) for path, result in results] == [(out / "broken.mp3", "AudioDecodeError"), (out / "good.mp3", "Normalised")]
    assert sorted(p.name for p in out.iterdir()) == ["good.mp3"]  # nothing at the broken one's path, no temporaries
    again = list(standalone.normalise_files((good,), out, Loudness()))  # the folder there now
    assert [path for path, _ in again] == [out / "good.mp3"]


class Counts:
    """A transcriber that says what it was asked, and how many files it had at once at most."""

    def __init__(self) -> None:
        self.asked, self.running, self.most, self.lock = [], 0, 0, threading.Lock()

    def transcribe(self, path, language, prompt=""):
        from pipeline.records import Segment, Transcript

        with self.lock:
            self.asked.append((path.name, language, prompt))
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.2)
        with self.lock:
            self.running -= 1
        return Transcript(language, 1.0, (Segment(0.0, 1.0, path.stem),))


@pytest.mark.parametrize("jobs", [1, 3])
def test_each_file_is_asked_in_its_language_with_the_prompt_and_jobs_at_once(tmp_path, jobs):
    inputs = tuple(tmp_path / f"{n}.m4a" for n in "abcd")
    counts = Counts()
    heard = list(standalone.transcribe_files(counts, inputs, tmp_path, [], "fr", "Freelance.Family. TJM.", jobs))
    assert sorted(counts.asked) == [(f"{n}.m4a", "fr", "Freelance.Family. TJM.") for n in "abcd"]
    assert [t.text for _, t in heard] == list("abcd") and counts.most == jobs


def test_normalise_files_works_beside_its_output_not_in_the_system_s_temporary_folder(tmp_path, monkeypatch):
    """An hour decoded is ~600 MB: on the output's disk, whose room the host chose, not /tmp
    (often in memory), and gone afterwards."""
    real, used = standalone.normalise, []

    def normalise(sources, output, loudness, work=None):
        used.append(work)
        assert work is not None and work.parent == out
        return real(sources, output, loudness, work=work)

    monkeypatch.setattr(standalone, "normalise", normalise)
    good = write_wav(tmp_path / "good.wav", speechlike(2.0, -30.0))
    out = tmp_path / "levelled"
    [(path, result)] = list(standalone.normalise_files((good,), out, Loudness()))
    assert used == [out / ".good.work"] and sorted(p.name for p in out.iterdir()) == ["good.mp3"]
