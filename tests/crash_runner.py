"""`podcast` in a process that SIGKILLs itself at a chosen point, for tests/scenarios/test_crash.py.

    python -m tests.crash_runner build --root SHOW

Environment (a test hook only, kept here so that the pipeline itself has none):
- PODCAST_CRASH_AT="EVENT@STAGE[#N]": kill this process at the Nth EVENT (default: the first)
  of stage STAGE. Events: `run` (the stage starts writing its temporaries), `ffmpeg` (an ffmpeg
  writing the stage's temporaries has run for a moment), `transcribing` (Whisper reported
  progress), `written` (every temporary written, none renamed yet), `rename` (just before an
  os.replace: the stage's outputs one by one, then its record), `save` (outputs in place, the
  stage's record not yet saved).
- PODCAST_CRASH_PIDS=FILE: append the pid of every process started (ffmpeg, pagefind), one a line.
- PODCAST_FAKE_WHISPER=1: transcribe with a transcriber that hears nothing (no model loaded).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from pipeline import build as build_module
from pipeline import engine
from pipeline.cli import cli
from pipeline.files import TEMP_MARK

SPEC = os.environ.get("PODCAST_CRASH_AT", "")
EVENT, _, WHERE = SPEC.partition("@")
STAGE, _, NTH = WHERE.partition("#")
NTH_EVENT = int(NTH or 1)
PIDS = os.environ.get("PODCAST_CRASH_PIDS")
FFMPEG_RUNS = 0.3  # seconds an ffmpeg runs before the kill: long enough to have opened its output

seen: Counter[str] = Counter()
current = ""  # the stage running now


def event(name: str) -> None:
    """SIGKILL this process if `name` in the current stage is the chosen kill point."""
    if not current or current != STAGE or name != EVENT:
        return
    seen[name] += 1
    if seen[name] == NTH_EVENT:
        sys.stderr.write(f"crash_runner: SIGKILL at {SPEC}\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def hook_stages() -> None:
    for stage in (*build_module.EPISODE_STAGES, *build_module.SHOW_STAGES):
        cls = type(stage)

        def run(self, job, out, _original=cls.run):
            global current
            current = self.name
            event("run")
            result = _original(self, job, out)
            event("written")
            return result

        cls.run = run

    real_replace = os.replace

    def replace(source, target, *args, **kwargs):
        event("rename")
        return real_replace(source, target, *args, **kwargs)

    os.replace = replace

    real_save = engine.Store.save

    def save(self, scope, stage, record):
        global current
        event("save")
        real_save(self, scope, stage, record)
        current = ""

    engine.Store.save = save


def hook_ffmpeg() -> None:
    class Popen(subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if PIDS:
                with open(PIDS, "a") as f:
                    f.write(f"{self.pid}\n")
            writes_output = any(TEMP_MARK in str(arg) for arg in (args[0] if args else kwargs["args"]))
            if current == STAGE and EVENT == "ffmpeg" and writes_output:
                time.sleep(FFMPEG_RUNS)
                event("ffmpeg")

    subprocess.Popen = Popen  # subprocess.run starts its process through it too


def hook_whisper() -> None:
    from pipeline.stages import transcribe

    real_load = transcribe.load

    class Heard:
        def __init__(self, transcriber):
            self.transcriber = transcriber

        def transcribe(self, path, language, prompt="", progress=None):
            def told(done, total):
                event("transcribing")
                if progress:
                    progress(done, total)

            return self.transcriber.transcribe(path, language, prompt, told)

    if os.environ.get("PODCAST_FAKE_WHISPER") == "1":
        from tests.conftest import HearsNothing

        transcribe.load = lambda *args, **kwargs: Heard(HearsNothing())
    else:
        transcribe.load = lambda *args, **kwargs: Heard(real_load(*args, **kwargs))


if __name__ == "__main__":
    hook_stages()
    hook_ffmpeg()
    hook_whisper()
    cli(sys.argv[1:], prog_name="podcast")
