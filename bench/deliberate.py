"""Deliberate bugs, written by hand as a reviewer would, and how many the fast tests catch.

mutmut (bench/mutation.py) changes operators and constants mechanically; a reviewer breaks what
the README promises: a limit moved by one on its other edge, a guard dropped, a tolerance
widened, an order reversed. `bench/deliberate_bugs.toml` (and `deliberate_bugs_2.toml`, a second
set) lists such bugs, each a piece of a module's text and what it becomes; this script puts each
one alone into a copy of the tree and runs the fast tests (`-m "not slow and not browser"`,
stopping at the first failure): first the tests of the bug's area, then, if none fails, the
whole fast suite. A bug no fast test notices "survived".

    .venv/bin/python bench/deliberate.py --check          # each bug applies once and compiles
    .venv/bin/python bench/deliberate.py                  # every bug, one at a time
    .venv/bin/python bench/deliberate.py --only 3 --only 17

Prints caught / total per area and overall, and the test that caught each bug; writes the
figures to `deliberate.json` under `--work`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from queue import Queue

from mutation import FAST, REPO, copy_tree

BUGS = REPO / "bench" / "deliberate_bugs.toml"
SUITE_LIMIT = 1800  # seconds for one run of the fast suite before the bug counts as "timeout"


def load_bugs(path: Path) -> list[dict]:
    bugs = tomllib.loads(path.read_text(encoding="utf-8"))["bug"]
    for number, bug in enumerate(bugs, 1):
        bug["number"] = number
    return bugs


def applied(source: Path, bug: dict) -> str:
    """The module's text with the bug in; ValueError unless the bug's text is there exactly once
    and the result still compiles (a bug the interpreter rejects is not a reviewer's bug)."""
    path = source / bug["file"]
    text = path.read_text(encoding="utf-8")
    found = text.count(bug["find"])
    if found != 1:
        raise ValueError(f"bug {bug['number']}: its text is in {bug['file']} {found} times, not once")
    changed = text.replace(bug["find"], bug["replace"])
    if changed == text:
        raise ValueError(f"bug {bug['number']}: changes nothing")
    try:
        compile(changed, str(path), "exec")
    except SyntaxError as e:
        raise ValueError(f"bug {bug['number']}: {bug['file']} no longer compiles: {e}") from None
    return changed


def run_tests(work: Path, paths: list[str]) -> tuple[str, str]:
    """("failed" | "passed" | "timeout", the first failing test) for the fast tests in `paths`."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:cacheprovider", *FAST, *paths]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=SUITE_LIMIT)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    if done.returncode == 0:
        return "passed", ""
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", done.stdout, re.MULTILINE)
    # 1: a test failed; 2: collection failed (the bug breaks an import), which a test run shows too.
    return "failed", failed.group(1) if failed else f"pytest exit {done.returncode}"


def try_bug(work: Path, bug: dict) -> dict:
    path = work / bug["file"]
    original = path.read_text(encoding="utf-8")
    path.write_text(applied(work, bug), encoding="utf-8")
    started = time.monotonic()
    try:
        outcome, test = run_tests(work, bug.get("tests", []))
        where = "area"
        if outcome == "passed" and bug.get("tests"):
            outcome, test = run_tests(work, ["tests"])
            where = "suite"
    finally:
        path.write_text(original, encoding="utf-8")
    status = {"failed": "caught", "passed": "survived", "timeout": "timeout"}[outcome]
    return {"number": bug["number"], "area": bug["area"], "status": status, "by": test, "where": where, "seconds": round(time.monotonic() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bugs", type=Path, default=BUGS, help="the bugs' file")
    parser.add_argument("--work", type=Path, default=REPO / ".build" / "deliberate", help="where the copy goes")
    parser.add_argument("--check", action="store_true", help="only check that each bug applies once and compiles")
    parser.add_argument("--children", type=int, default=1, help="bugs tried at once, each in its own copy (default 1)")
    parser.add_argument("--only", type=int, action="append", default=[], metavar="N", help="bug number N (from 1), once per bug")
    args = parser.parse_args()
    bugs = load_bugs(args.bugs)
    chosen = [bug for bug in bugs if not args.only or bug["number"] in args.only]
    try:
        for bug in chosen:
            applied(REPO, bug)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 1
    if args.check:
        print(f"{len(chosen)} bugs apply: " + ", ".join(f"{area} {n}" for area, n in Counter(b["area"] for b in chosen).items()))
        return 0
    work = args.work.resolve()
    if work.exists():
        shutil.rmtree(work)
    copies: Queue[Path] = Queue()
    for child in range(max(1, args.children)):
        copy = work / str(child)
        copy.mkdir(parents=True)
        copy_tree(REPO, copy)
        copies.put(copy)

    def in_a_copy(bug: dict) -> dict:
        copy = copies.get()
        try:
            result = try_bug(copy, bug)
        finally:
            copies.put(copy)
        print(f"{result['number']:3} {result['area']:14} {result['status']:9} {result['seconds']:7.1f} s  {bug['why'][:60]}  {result['by']}", flush=True)
        return result

    with ThreadPoolExecutor(max(1, args.children)) as pool:
        found = list(pool.map(in_a_copy, chosen))
    (work / "deliberate.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    print()
    for area in sorted({r["area"] for r in found}):
        mine = [r for r in found if r["area"] == area]
        print(f"{area:14} {sum(r['status'] != 'survived' for r in mine):3} / {len(mine):3} caught")
    caught = sum(r["status"] != "survived" for r in found)
    print(f"{'all':14} {caught:3} / {len(found):3} caught ({100 * caught / len(found):.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
