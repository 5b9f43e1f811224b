"""Time a first build of the bundled show against a rebuild with nothing changed.

Runs `podcast build` twice on a temporary copy of the show (fresh .build/ and public/, the
model cache kept as a user's would be) and prints both times and their ratio. The issue asks
for a rebuild within 5 % of the first build.

    .venv/bin/python bench/build.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    podcast = str(Path(sys.executable).with_name("podcast"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "show"
        root.mkdir()
        shutil.copyfile(REPO / "podcast.toml", root / "podcast.toml")
        for folder in ("assets", "templates", "episodes"):
            shutil.copytree(REPO / folder, root / folder)
        first = timed([podcast, "build"], root)
        again = timed([podcast, "build"], root)
        audio = sum(p.stat().st_size for p in (root / "episodes").rglob("*") if p.is_file())
    print(f"first build   {first:7.2f} s  ({audio / 1e6:.1f} MB of recordings)")
    print(f"rebuild       {again:7.2f} s  (nothing changed)")
    print(f"ratio         {again / first:7.3f}  rebuild / first build (goal: <= 0.05)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
