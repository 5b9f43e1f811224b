"""Transcripts Whisper wrote on several machines, replayed through the stages that follow it.

Whisper's words move with the CPU: CTranslate2 picks its kernels by instruction set, and an
Intel Xeon hears other words than an AMD EPYC forced to the same one (issue 19). A test of what
the later stages do with a transcript (speakers, corrections, chapters, quotes, the page) must
hold whatever Whisper heard, so it replays each machine's recording in turn, from
`tests/data/whisper-elsewhere/<machine>/<name>.transcript.json` (its README says where each file
came from). They are data from other machines, not expected output.

A machine's transcripts are recorded with the real model, each recording laid out as the tests
lay it out (the transcribe stage's prompt names the show and its people):

    CT2_FORCE_CPU_ISA=AVX2 .venv/bin/python -m tests.recorded amd-epyc-avx2
"""

from __future__ import annotations

import contextlib
import json
import runpy
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import pytest

from pipeline.audio import ffmpeg
from pipeline.records import Transcript
from tests.conftest import DATA, REPO, new_show
from tests.golden import copy_show

ELSEWHERE = DATA / "whisper-elsewhere"
MACHINES = ("amd-epyc-avx2", "amd-epyc-avx512", "intel-xeon-avx512")
NAMES = ("trailer", "duo-host", "one-track-two-voices", "duo-multitrack")
HOST, GUEST = "Camille Durand", "Inès Moreau"
TRAILER_SLUG = "000-bande-annonce"


def recording(machine: str, name: str) -> Path:
    return ELSEWHERE / machine / f"{name}.transcript.json"


def recordings(name: str) -> list:
    """Each machine's transcript of `name`, as pytest parameters named after the machine."""
    return [pytest.param(recording(machine, name), id=machine) for machine in MACHINES]


def duo_script(who: str = "") -> str:
    """What tests/data/duo-*.m4a say (scripts/make_test_duo.py): the host's lines, the guest's, or all."""
    lines = runpy.run_path(str(REPO / "scripts" / "make_test_duo.py"))["LINES"]
    return " ".join(text for speaker, text in lines if who in ("", speaker))


def spoken_by(transcript: Transcript, speaker: str | None) -> Transcript:
    """The segments of one speaker, unnamed: what Whisper heard on that speaker's own track."""
    segments = tuple(replace(s, speaker=None, words=tuple(replace(w, speaker=None) for w in s.words)) for s in transcript.segments if s.speaker == speaker)
    return replace(transcript, segments=segments)


class Replays:
    """A transcriber that gives back recorded transcripts instead of running Whisper.

    `heard[slug]` is the recording for the episode whose cache folder is `slug`. An episode
    recorded one track per speaker (or one speaker per channel) asks for `track<i>.flac`: it gets
    the recording's segments of `tracks[i]`, so a recording of the merged tracks replays too.
    `heard` may be changed between builds, as a new transcription hears other words.
    """

    def __init__(self, heard: Mapping[str, Path], tracks: Sequence[str] = ()) -> None:
        self.heard = dict(heard)
        self.tracks = tuple(tracks)
        self.calls: list[Path] = []

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        self.calls.append(path)
        transcript = Transcript.from_dict(json.loads(self.heard[path.parent.name].read_text(encoding="utf-8")))
        if path.name.startswith("track"):
            return spoken_by(transcript, self.tracks[int(path.stem.removeprefix("track"))])
        return transcript


@contextlib.contextmanager
def replaying(heard: Mapping[str, Path], tracks: Sequence[str] = ()) -> Iterator[Replays]:
    """Builds in this block transcribe with `Replays(heard, tracks)`: no model is loaded."""
    from pipeline.stages import transcribe

    replays = Replays(heard, tracks)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transcribe, "load", lambda *args, **kwargs: replays)
        yield replays


# The recordings, laid out as the tests that replay them lay them out.


def duo_host_episode(root: Path, guest: bool = False) -> str:
    """The host's track of the duo alone, in the show at `root` (tests/test_build.py); its slug."""
    folder = root / "episodes" / "001-duo"
    folder.mkdir()
    shutil.copyfile(DATA / "duo-host.m4a", folder / "camille.m4a")
    extra = f'[[guests]]\nname = "{GUEST}"\n' if guest else ""
    (folder / "episode.toml").write_text(f'title = "Duo"\npublished = 2026-01-05\n{extra}', encoding="utf-8")
    return folder.name


def one_track_episode(root: Path) -> str:
    """The duo mixed down to one track, the guest listed (tests/speech/test_speakers.py); its slug."""
    folder = root / "episodes" / "003-salon"
    folder.mkdir()
    mixed = folder / "salon.m4a"
    ffmpeg.run(
        [
            "-i",
            str(DATA / "duo-host.m4a"),
            "-i",
            str(DATA / "duo-guest.m4a"),
            "-filter_complex",
            "[0:a][1:a]amix=inputs=2:normalize=0[a]",
            "-map",
            "[a]",
            "-ac",
            "1",
            "-c:a",
            "aac",
            str(mixed),
        ],
        about=mixed,
    )
    (folder / "episode.toml").write_text(f'title = "Salon"\npublished = 2026-01-05\n[[guests]]\nname = "{GUEST}"\n', encoding="utf-8")
    return folder.name


def multitrack_episode(root: Path) -> str:
    """The duo as one episode of two tracks, host first (tests/speech/test_speakers.py); its slug."""
    folder = root / "episodes" / "001-duo"
    folder.mkdir()
    shutil.copyfile(DATA / "duo-host.m4a", folder / "camille.m4a")
    shutil.copyfile(DATA / "duo-guest.m4a", folder / "ines.m4a")
    (folder / "episode.toml").write_text(
        f'title = "Duo"\npublished = 2026-01-05\n[tracks]\n"{HOST}" = "camille.m4a"\n"{GUEST}" = "ines.m4a"\n', encoding="utf-8"
    )
    return folder.name


def trailer_show(root: Path) -> tuple[Path, str]:
    """The bundled show (tests/scenarios/test_show.py)."""
    return copy_show(root), TRAILER_SLUG


def in_new_show(episode: Callable[[Path], str]) -> Callable[[Path], tuple[Path, str]]:
    """A layout of one episode, in a new show of its own at `root`."""
    return lambda root: (new_show(root), episode(root))


# Each recording laid out as the tests that replay it lay it out: by the very same functions.
LAYOUTS = {
    "trailer": trailer_show,
    "duo-host": in_new_show(duo_host_episode),
    "one-track-two-voices": in_new_show(one_track_episode),
    "duo-multitrack": in_new_show(multitrack_episode),
}


def record(machine: str) -> None:
    """Build each layout with the real model here; keep each transcript Whisper wrote."""
    import os
    import tempfile

    from pipeline.build import build

    folder = ELSEWHERE / machine
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        os.environ["XDG_CACHE_HOME"] = str(Path(work) / "cache")  # not the user's model cache
        for name, layout in LAYOUTS.items():
            root, slug = layout(Path(work) / name / "show")
            report = build(root)
            if not report.ok:
                sys.exit(f"{name}: the build failed: {report.failures}")
            shutil.copyfile(root / ".build" / "episodes" / slug / "transcript.json", recording(machine, name))
            print(f"recorded {recording(machine, name).relative_to(REPO)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    record(sys.argv[1])
