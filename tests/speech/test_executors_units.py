"""What a Dask worker does with one recording, with a model that only says what it is told: the
bytes written under the recording's name, the language and prompt handed on, the transcript sent
back, and a failure naming the build's path and the worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import AudioDecodeError, StageError
from pipeline.records import Segment, Transcript, Transcription, Word
from pipeline.speech import executors, models
from pipeline.speech.transcriber import engine_identity

BUILT = Path("/show/.build/episodes/001-duo/voix.flac")  # where the build keeps the recording


class Told:
    """A model that writes down what it was given and answers one line."""

    def __init__(self, fails: bool = False):
        self.given: list[tuple[str, str, bytes, str, str]] = []
        self.loaded: list[tuple[str, Path]] = []  # (model, show folder) of each load
        self.fails = fails

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        self.given.append((path.parent.name, path.name, path.read_bytes(), language, prompt))
        if self.fails:
            raise AudioDecodeError(f"{path}: ffmpeg could not decode it")
        return Transcript(language, 1.5, (Segment(0.2, 1.4, "Bonjour Inès.", (Word(0.2, 0.8, "Bonjour", 0.9), Word(0.8, 1.4, " Inès.", 0.6))),))


@pytest.fixture
def told(monkeypatch):
    model = Told()

    def load(settings: Transcription, root: Path) -> Told:
        model.loaded.append((settings.model, root))
        return model

    monkeypatch.setattr(executors, "load", load)
    monkeypatch.setattr(executors, "_models", {})
    # This process's counts, which other tests read: restored after each test.
    monkeypatch.setattr(executors, "loads", 0)
    monkeypatch.setattr(executors, "transcribed", 0)
    return model


def request(root: Path, settings: Transcription | None = None, **identity: str) -> executors.Request:
    settings = settings or Transcription()
    return executors.Request(BUILT, settings, root, {**engine_identity(settings, root), **identity}, "fr", "Freelance.Family. portage salarial.")


def test_a_worker_transcribes_the_bytes_under_the_recordings_name(told, tmp_path):
    sent = executors.transcribe_bytes(request(tmp_path), b"fLaC audio")
    [(folder, name, audio, language, prompt)] = told.given
    assert folder.startswith("podcast-transcribe-") and name == "voix.flac" and audio == b"fLaC audio"
    assert (language, prompt) == ("fr", "Freelance.Family. portage salarial.")
    back = json.loads(sent)
    assert back["language"] == "fr" and back["duration"] == 1.5
    assert [(s["start"], s["end"], s["text"]) for s in back["segments"]] == [(0.2, 1.4, "Bonjour Inès.")]
    assert executors.transcribed == 1
    executors.transcribe_bytes(request(tmp_path), b"fLaC audio")
    assert executors.transcribed == 2


def test_a_failure_names_the_builds_path_and_the_worker(told, tmp_path):
    told.fails = True
    with pytest.raises(StageError) as caught:
        executors.transcribe_bytes(request(tmp_path), b"not audio")
    assert str(caught.value) == f"{BUILT}: ffmpeg could not decode it (transcribed on this process)"


def test_a_worker_lists_every_setting_it_differs_in(told, tmp_path):
    with pytest.raises(StageError) as caught:
        executors.transcribe_bytes(request(tmp_path, engine_version="0.0.1", ctranslate2="0.0.2"), b"")
    message = str(caught.value)
    assert message.startswith(f"{BUILT}: this process has another engine or model (engine_version '")
    assert "' here, '0.0.1' in the build, ctranslate2 '" in message
    assert message.endswith("' here, '0.0.2' in the build); install the same versions of podcast-pipeline and the model everywhere")
    assert told.given == []


def test_a_model_in_the_show_folder_is_found_from_the_show_on_a_worker(told, tmp_path):
    (tmp_path / "models" / "mine").mkdir(parents=True)
    (tmp_path / "models" / "mine" / "model.bin").write_bytes(b"weights")
    executors.transcribe_bytes(request(tmp_path, Transcription(model="models/mine")), b"audio")
    assert len(told.given) == 1


def test_a_folder_without_weights_is_a_name_not_a_local_model(tmp_path):
    (tmp_path / "models" / "empty").mkdir(parents=True)
    assert models.identity("models/empty", tmp_path) == "named:models/empty"


def test_the_bundled_model_is_a_folder_with_its_weights(tmp_path):
    assert (Path(models.resolve("base", tmp_path)) / "model.bin").is_file()


def test_what_a_worker_sent_back_is_handed_on_or_its_failure_raised():
    heard = Transcript("fr", 1.0, ())
    assert executors.Heard((heard,)).get() == (heard,)
    with pytest.raises(StageError, match="^worker tcp://10.0.0.2:4242: out of memory$"):
        executors.Heard(error="worker tcp://10.0.0.2:4242: out of memory").get()


def test_the_serial_executor_says_it_transcribes_in_this_process():
    assert executors.Executor().describe() == "in this process"


def test_a_worker_loads_a_model_once_and_again_for_another(told, tmp_path):
    (tmp_path / "models" / "mine").mkdir(parents=True)
    (tmp_path / "models" / "mine" / "model.bin").write_bytes(b"weights")
    for settings in (Transcription(), Transcription(), Transcription(model="models/mine"), Transcription(model="models/mine")):
        executors.transcribe_bytes(request(tmp_path, settings), b"audio")
    assert told.loaded == [("base", tmp_path), ("models/mine", tmp_path)]
    assert executors.loads == 2
