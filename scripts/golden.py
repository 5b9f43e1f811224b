"""Rewrite tests/data/golden/: the trailer's transcript as Whisper makes it here, and the feed.

    .venv/bin/python scripts/golden.py               # the feed, from the recorded transcript
    .venv/bin/python scripts/golden.py --transcribe  # Whisper first, then the feed (`make golden`)

The only way the golden feed changes: tests/scenarios/test_golden.py fails on any other change.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.build import build  # noqa: E402
from tests.golden import FEED, GOLDEN, build_replayed, copy_show, recorded  # noqa: E402


def transcribe_again(work: Path) -> None:
    """A real build of a copy of the show; each episode's transcript as Whisper made it."""
    root = copy_show(work / "whisper")
    report = build(root)
    if report.failures:
        sys.exit(f"the build failed: {report.failures}")
    for folder in sorted((root / ".build" / "episodes").iterdir()):
        shutil.copyfile(folder / "transcript.json", recorded(folder.name))
        print(f"recorded {recorded(folder.name).relative_to(GOLDEN.parent.parent.parent)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transcribe", action="store_true", help="record the transcripts again with Whisper first")
    args = parser.parse_args()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        if args.transcribe:
            transcribe_again(Path(work))
        FEED.write_bytes(build_replayed(copy_show(Path(work) / "replayed")))
    print(f"wrote {FEED.relative_to(GOLDEN.parent.parent.parent)}")


if __name__ == "__main__":
    main()
