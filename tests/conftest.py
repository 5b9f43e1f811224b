"""Shared fixtures: audio made in the test, a show in a temporary folder, a private model cache."""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
import subprocess
import textwrap
import threading
import wave
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from pipeline.audio import ffmpeg
from pipeline.records import Transcript

REPO = Path(__file__).resolve().parent.parent
TRAILER = REPO / "episodes" / "000-bande-annonce" / "bande-annonce.m4a"
DATA = REPO / "tests" / "data"
# README: normalise aims within 0.3 LU of the target. ebur128 prints tenths, so a file 0.3 LU off is
# within it, where a float subtraction says 0.30000000000000071: the tolerance is 0.3 and no more.
AIM_LU = 0.3 + 1e-9


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Join the bundled model into a cache of the test run's own, never the user's."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


def write_wav(path: Path, samples: np.ndarray, rate: int = 44100) -> Path:
    """Write float samples in [-1, 1] (shape (n,) or (n, channels)) as 16-bit PCM."""
    samples = np.atleast_2d(samples.T).T if samples.ndim == 1 else samples
    pcm = np.clip(samples * 32767, -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(pcm.shape[1])
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes(pcm.tobytes())
    return path


def ebur128(path: Path) -> dict[str, float]:
    """Loudness of a file as written, measured here by ffmpeg's `ebur128` filter (EBU R128),
    not by the pipeline's code: {"integrated": LUFS, "lra": LU, "true_peak": dBTP}."""
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"]
    log = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    summary = log[log.rindex("Summary:") :]

    def value(label: str) -> float:
        return float(re.search(rf"{label}:\s+(-?(?:inf|[\d.]+))", summary).group(1))

    return {"integrated": value("I"), "lra": value("LRA"), "true_peak": value("Peak")}


def speechlike(seconds: float, level_db: float, rate: int = 44100, channels: int = 1, seed: int = 1, noise: float = 0.5) -> np.ndarray:
    """A tone and noise shaped by a syllable-rate envelope with pauses: loudness behaves like speech.

    With `noise=0` Whisper's voice detector hears no speech in it, so a build skips decoding.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    envelope = (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)) * (np.sin(2 * np.pi * 0.25 * t) > -0.6)
    tone = (1 - noise) * np.sin(2 * np.pi * 220 * t) + noise * rng.standard_normal(t.size) / 3
    signal = tone * envelope
    signal *= 10 ** (level_db / 20) / np.max(np.abs(signal))
    return np.stack([signal] * channels, axis=1) if channels > 1 else signal


@pytest.fixture
def make_audio(tmp_path: Path):
    """make_audio(name, seconds=3, level_db=-20, channels=1, rate=44100) -> path; .m4a/.mp3/.flac via ffmpeg."""

    def make(
        name: str,
        seconds: float = 3.0,
        level_db: float = -20.0,
        channels: int = 1,
        rate: int = 44100,
        seed: int = 1,
        noise: float = 0.5,
        folder: Path | None = None,
    ) -> Path:
        folder = folder or tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        wav = write_wav(target.with_suffix(".wav") if target.suffix != ".wav" else target, speechlike(seconds, level_db, rate, channels, seed, noise), rate)
        if target.suffix != ".wav":
            ffmpeg.run(["-i", str(wav), str(target)], about=wav)
            wav.unlink()
        return target

    return make


SHOW_TOML = """\
title = "Test Show"
description = "Une émission de test."
language = "fr"
author = "Camille Durand"
categories = ["Business > Careers"]
artwork = "artwork.png"

[owner]
name = "Camille Durand"
email = "camille@example.org"

[[hosts]]
name = "Camille Durand"
"""


def new_show(root: Path, show_toml: str = SHOW_TOML) -> Path:
    """A show folder with `show_toml` as podcast.toml, the artwork, and an empty episodes/."""
    (root / "episodes").mkdir(parents=True)
    (root / "podcast.toml").write_text(show_toml, encoding="utf-8")
    shutil.copyfile(REPO / "assets" / "artwork.png", root / "artwork.png")
    return root


@pytest.fixture
def show_root(tmp_path: Path) -> Path:
    """A show folder with podcast.toml and artwork, and an empty episodes/."""
    return new_show(tmp_path / "show")


class HearsNothing:
    """A transcriber that hears no words, as Whisper hears none in a tone (`noise=0`)."""

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        return Transcript(language, ffmpeg.probe(path).duration, ())


@contextlib.contextmanager
def without_whisper():
    """Builds of tones, for what they publish, without loading the Whisper model."""
    from pipeline.stages import transcribe

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transcribe, "load", lambda *args, **kwargs: HearsNothing())
        yield


@pytest.fixture
def no_whisper():
    with without_whisper():
        yield


@pytest.fixture
def add_episode(show_root: Path, make_audio):
    """add_episode(slug, toml_body, seconds=4, ...) -> folder with episode.toml and one recording."""

    def add(slug: str, body: str = "", seconds: float = 4.0, audio_name: str = "enregistrement.wav", **audio) -> Path:
        folder = show_root / "episodes" / slug
        folder.mkdir(parents=True, exist_ok=True)
        if audio_name:
            make_audio(audio_name, seconds=seconds, folder=folder, **{"noise": 0.0, **audio})
        (folder / "episode.toml").write_text(textwrap.dedent(body) or f'title = "{slug}"\npublished = 2026-01-05\n', encoding="utf-8")
        return folder

    return add


# openai-whisper, the reference engine: `make` installs it (the `openai` extra).
OPENAI_INSTALL = "pip install torch==2.13.0, then pip install -e '.[openai]' (make does both)"


def require(module: str, install: str) -> None:
    """Import `module` or fail saying how to install it: a test that skips when what it needs is
    missing lets the suite pass without testing anything."""
    try:
        importlib.import_module(module)
    except ImportError:
        pytest.fail(f"{module} is not installed: {install}", pytrace=False)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by selenium. Missing, it fails the browser tests (there is
    no browser check otherwise), unless PODCAST_SKIP_BROWSER=1 asks to skip them."""
    if os.environ.get("PODCAST_SKIP_BROWSER") == "1":
        pytest.skip("PODCAST_SKIP_BROWSER=1")
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        missing = " and ".join(name for name, path in (("chromium", chromium), ("chromedriver", driver)) if not path)
        pytest.fail(
            f"the browser tests need headless Chromium: {missing} not found on PATH. Install them "
            "(Debian: apt-get install chromium chromium-driver; make test does) or set "
            "PODCAST_SKIP_BROWSER=1 to skip these tests",
            pytrace=False,
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages, for get_log("browser")
    session = webdriver.Chrome(options=options, service=Service(driver))
    session.set_script_timeout(20)
    yield session
    session.quit()


def trailer_script() -> str:
    """What the trailer says, from the script that made it (scripts/make_trailer.py)."""
    import runpy

    lines = runpy.run_path(str(REPO / "scripts" / "make_trailer.py"))["LINES"]
    return " ".join(text for _, text in lines).replace("Freelance Family", "Freelance.Family")


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word errors over reference words, both lower-cased without punctuation (jiwer)."""
    import re
    import unicodedata

    import jiwer

    def plain(text: str) -> str:
        text = unicodedata.normalize("NFC", text.lower()).replace("’", "'")
        return " ".join(re.sub(r"[^\w']+", " ", text).split()) or "-"

    return jiwer.wer(plain(reference), plain(hypothesis))


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """`podcast serve`'s own server on `folder`, on a free port: its address, "http://127.0.0.1:PORT/"."""
    from pipeline.site.serve import server

    preview = server(folder, 0)
    threading.Thread(target=preview.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{preview.server_address[1]}/"
    finally:
        preview.shutdown()
        preview.server_close()
