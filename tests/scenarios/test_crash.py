"""Crash safety (issue 13): a build SIGKILLed at any moment, then run again, ends with the
public/ of a build never interrupted, and never shows a half-written file.

Each build runs as a process of its own (`tests/crash_runner.py`, the real CLI with a kill
hook) so that it can really be killed. After the kill, every file visible in public/ must hold
the bytes of the build before or of the build after (a hidden temporary may remain until the next
build); after the next build, public/ must equal, byte for byte and file for file, that of a
build of the same show never interrupted, made in another folder.

No byte may differ: the feed's lastBuildDate is the newest episode's date (not the clock), and
nothing in public/ names the folder it was built in. Only files' mtimes differ.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.files import TEMP_MARK
from tests.conftest import REPO, new_show, speechlike, write_wav

SLUGS = ("001-un", "002-deux")
EDITED_TITLE = "Deux, titre corrigé"
KILLED = -signal.SIGKILL


def make_show(root: Path, seconds: float = 4.0, edited: bool = False) -> Path:
    """Two single-track episodes of tones (the fake transcriber hears nothing in them)."""
    new_show(root)
    for i, slug in enumerate(SLUGS):
        folder = root / "episodes" / slug
        folder.mkdir()
        write_wav(folder / "enregistrement.wav", speechlike(seconds, -20, seed=i + 1, noise=0.0))
        title = EDITED_TITLE if edited and i == 1 else slug
        (folder / "episode.toml").write_text(f'title = "{title}"\npublished = 2026-01-0{i + 5}\n', encoding="utf-8")
    return root


def edit(root: Path) -> None:
    """The change of `make_show(edited=True)`: a new title reruns tag, notes, feed, site and search."""
    toml = root / "episodes" / SLUGS[1] / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(f'"{SLUGS[1]}"', f'"{EDITED_TITLE}"'), encoding="utf-8")


def podcast(root: Path, *args: str, crash_at: str = "", fake_whisper: bool = True, pids: Path | None = None, **popen) -> subprocess.CompletedProcess:
    """`podcast build --root ROOT` in a process of its own, killed at `crash_at` if given."""
    command, env = _command(root, args, crash_at, fake_whisper, pids)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, **popen)


def _command(root: Path, args: tuple[str, ...], crash_at: str, fake_whisper: bool, pids: Path | None) -> tuple:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PODCAST_CRASH_AT": crash_at,
        "PODCAST_FAKE_WHISPER": "1" if fake_whisper else "0",
        "PODCAST_CRASH_PIDS": str(pids or ""),
    }
    return [sys.executable, "-m", "tests.crash_runner", *(args or ("build",)), "--root", str(root)], env


def start(root: Path, **options) -> subprocess.Popen:
    command, env = _command(root, (), options.get("crash_at", ""), True, None)
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def built(root: Path, **options) -> subprocess.CompletedProcess:
    done = podcast(root, **options)
    assert done.returncode == 0, done.stderr
    return done


def files(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden temporaries too) and the SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def temporaries(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob(f"*{TEMP_MARK}*"))


def assert_nothing_half_written(public: Path, *builds: dict[str, str]) -> None:
    """Every file visible in public/ is whole: it holds the bytes one of `builds` gave it."""
    for name, digest in files(public).items():
        if TEMP_MARK in name:  # a file, or a folder (the search index moved aside), hidden
            assert any(part.startswith(".") and TEMP_MARK in part for part in Path(name).parts), f"{name}: not hidden"
            continue
        assert any(b.get(name) == digest for b in builds), f"{name}: in no build's state (half-written?)"


def assert_as_uninterrupted(root: Path, reference: dict[str, str]) -> None:
    """public/ is the uninterrupted build's, byte for byte, nothing more; no temporary anywhere."""
    assert files(root / "public") == reference
    assert temporaries(root) == []


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """public/ of uninterrupted builds, by content: "before" the edit and "after" (each from scratch)."""
    found = {}
    for name, edited in (("before", False), ("after", True)):
        root = make_show(tmp_path_factory.mktemp(f"reference-{name}") / "show", edited=edited)
        started = time.monotonic()
        built(root)
        found[f"{name} seconds"] = time.monotonic() - started
        found[name] = files(root / "public")
        assert found[name] and temporaries(root) == []
    return found


def killed(root: Path, crash_at: str, **options) -> subprocess.CompletedProcess:
    done = podcast(root, crash_at=crash_at, **options)
    assert done.returncode == KILLED, f"not killed at {crash_at}:\n{done.stderr}"
    assert f"SIGKILL at {crash_at}" in done.stderr
    return done


# Kill points: EVENT@STAGE[#N] (tests/crash_runner.py). "new": the show's first build is killed;
# "edit": a build of a new title, over a public/ already published, is killed. The slow ones are
# near neighbours of a fast one (CI runs them too).
slow = pytest.mark.slow
POINTS = [
    pytest.param("run@normalise", "new", marks=slow),  # decoding and levelling starting
    pytest.param("written@normalise", "new", marks=slow),  # levelled audio written as temporaries, none renamed
    ("rename@normalise#2", "new"),  # one output renamed, the others not
    ("run@transcribe", "new"),
    ("rename@diarize", "new"),
    ("save@tag", "new"),  # the MP3 in public/, its record not saved
    ("rename@tag", "edit"),  # the new MP3 about to replace the published one
    ("written@feed", "edit"),  # the new feed written beside the old one
    ("save@feed", "edit"),  # between the feed and the site: new feed, old site
    pytest.param("run@site", "edit", marks=slow),
    ("rename@site#6", "edit"),  # the site half renamed
    ("rename@search#2", "edit"),  # the search index moved aside, the new one not yet in
]


@pytest.mark.parametrize(("crash_at", "scenario"), POINTS, ids=lambda value: value if "@" in value else None)
def test_a_build_killed_then_run_again_publishes_what_an_uninterrupted_one_does(tmp_path: Path, reference: dict, crash_at: str, scenario: str) -> None:
    root = make_show(tmp_path / "show")
    if scenario == "edit":
        built(root)
        assert files(root / "public") == reference["before"]
        edit(root)
    killed(root, crash_at)
    assert_nothing_half_written(root / "public", reference["before"], reference["after"] if scenario == "edit" else {})
    if scenario == "new":
        assert_nothing_half_written(root / "public", reference["before"])
    built(root)
    assert_as_uninterrupted(root, reference["after" if scenario == "edit" else "before"])


@pytest.mark.slow
def test_builds_killed_again_and_again_still_end_as_an_uninterrupted_one(tmp_path: Path, reference: dict) -> None:
    """Each run is killed further on (a host pressing the button again); the last one ends the build."""
    root = make_show(tmp_path / "show")
    for crash_at in ("written@normalise", "save@normalise", "rename@tag", "save@feed", "rename@site#3"):
        killed(root, crash_at)
        assert_nothing_half_written(root / "public", reference["before"])
    built(root)
    assert_as_uninterrupted(root, reference["before"])


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=slow), pytest.param(3, marks=slow)])
def test_a_build_killed_from_outside_at_a_random_moment(tmp_path: Path, reference: dict, seed: int) -> None:
    """SIGKILL sent by another process (the OOM killer, a host's `kill -9`) at a seeded random
    moment of a first build: a share of how long one took here (the first ~40% is mostly Python
    starting). A machine busier then than now may finish first: the kill comes earlier, on a new show."""
    delay = random.Random(seed).uniform(0.4, 0.95) * reference["before seconds"]
    for attempt in range(4):
        root = make_show(tmp_path / f"show-{attempt}")
        process = start(root)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        if process.returncode == KILLED:
            break
        delay /= 2
    assert process.returncode == KILLED, "every build ended before the kill: the test tested nothing"
    assert_nothing_half_written(root / "public", reference["before"])
    built(root)
    assert_as_uninterrupted(root, reference["before"])


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its reaper has stopped: it writes nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ffmpeg_stops_when_the_build_is_killed(tmp_path: Path) -> None:
    """An ffmpeg levelling a long recording dies with the build instead of writing on alone."""
    root = make_show(tmp_path / "show", seconds=300)  # levelling takes ~1.5 s: the kill comes at 0.3 s
    pids = tmp_path / "ffmpeg-pids"
    killed(root, "ffmpeg@normalise", pids=pids)
    started = [int(line) for line in pids.read_text().split()]
    cache = root / ".build" / "episodes" / SLUGS[0]
    writing = {p: p.stat().st_size for p in cache.glob(f".*{TEMP_MARK}*")}
    assert writing, "the kill came before ffmpeg opened its output"
    deadline = time.monotonic() + 2
    while any(alive(pid) for pid in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in started if alive(pid)], "ffmpeg outlived the build that started it"
    time.sleep(0.3)
    assert {p: p.stat().st_size for p in writing} == writing, "a temporary still grows after the build died"


def speech_show(root: Path) -> Path:
    """One single-track episode of the committed speech clip: Whisper hears words, diarize runs."""
    new_show(root)
    folder = root / "episodes" / "001-voix"
    folder.mkdir()
    shutil.copyfile(REPO / "tests" / "data" / "duo-guest.m4a", folder / "enregistrement.m4a")
    (folder / "episode.toml").write_text('title = "Voix"\npublished = 2026-01-05\n', encoding="utf-8")
    return root


@pytest.mark.slow
def test_killed_while_whisper_transcribes_and_while_diarizing(tmp_path: Path) -> None:
    """The real model: killed mid-transcription, then again in diarization, then run to the end."""
    reference = speech_show(tmp_path / "reference" / "show")
    built(reference, fake_whisper=False)
    expected = files(reference / "public")
    assert any(name.endswith("transcript.txt") for name in expected)
    root = speech_show(tmp_path / "crashed" / "show")
    killed(root, "transcribing@transcribe", fake_whisper=False)
    assert_nothing_half_written(root / "public", expected)
    killed(root, "written@diarize", fake_whisper=False)
    assert_nothing_half_written(root / "public", expected)
    built(root, fake_whisper=False)
    assert_as_uninterrupted(root, expected)


def test_publish_after_a_kill_copies_no_temporary(tmp_path: Path) -> None:
    """Killed while the search index was swapped: its old folder, hidden aside, is not published."""
    from pipeline.config import load_show
    from pipeline.layout import PublicLayout
    from pipeline.host.publish import publish

    root = make_show(tmp_path / "show")
    built(root)
    edit(root)
    killed(root, "rename@search#2")
    assert [name for name in temporaries(root / "public") if "pagefind" in name]  # the folder moved aside
    web = tmp_path / "www"
    publish(PublicLayout(load_show(root)), web)
    assert files(web) and temporaries(web) == []
