from __future__ import annotations

from pipeline.speech import models


def test_local_model_is_found_from_the_show_not_the_current_folder(tmp_path, monkeypatch):
    folder = tmp_path / "show" / "models" / "small"
    folder.mkdir(parents=True)
    (folder / "model.bin").write_bytes(b"weights")
    monkeypatch.chdir(tmp_path)  # somewhere else than the show
    root = tmp_path / "show"
    assert models.identity("models/small", root).startswith(f"local:{folder}:7:")
    assert models.resolve("models/small", root) == str(folder)
    (folder / "model.bin").write_bytes(b"new weights")  # a new model changes the fingerprint
    assert ":11:" in models.identity("models/small", root)
    assert models.identity("large-v3", root) == "named:large-v3"
    assert models.resolve("large-v3", root) == "large-v3"
