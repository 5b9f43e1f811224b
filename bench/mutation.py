"""Mutation testing of the modules whose tests are fast, one module at a time, with mutmut.

mutmut changes one thing at a time in a module (a `<` into `<=`, a string, a constant, a call
dropped...) and runs the tests that reach the function it changed: a change no test notices
("survived") is behaviour the tests do not pin down. Not run by `make test` nor by CI: it takes
minutes per module. Install its extra first: `.venv/bin/pip install -e '.[mutation]'`.

    .venv/bin/python bench/mutation.py                  # every module below, one after another
    .venv/bin/python bench/mutation.py serve corrections
    .venv/bin/python bench/mutation.py --source /tmp/old feed   # another checkout's code and tests

Each module runs in a copy of the tree under `.build/mutation/<module>/` (mutmut writes its
mutants beside the code it copies), with only that module mutated and only the fast test files
that exercise it; the tests that load the Whisper model are left out (`-m "not slow"`), and so
are the modules that only those tests reach. One worker at a time unless `--children`
says more, so a 2-core machine shared with others stays usable; mutmut stops a mutant's tests
after 15 times the CPU time they took
unmutated (a mutant that loops forever counts as caught: "timeout").
Prints killed / total per module and writes each survivor's diff to `survivors.txt` beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAST = ["-m", "not slow and not browser"]

# Module -> the test files that exercise it without the Whisper model.
MODULES: dict[str, list[str]] = {
    "config": [
        "tests/test_config.py",
        "tests/test_cli.py",
        "tests/text/test_quotes.py",
        "tests/audio/test_episode_audio.py::test_tracks_and_channels_read_from_episode_toml",
    ],
    "engine": ["tests/test_engine.py", "tests/text/test_corrections.py"],
    "feed": ["tests/feed/test_feed.py", "tests/audio/test_tag.py"],
    "podcast_ns": ["tests/feed/test_feed.py"],
    "corrections": ["tests/text/test_corrections.py"],
    "serve": ["tests/site/test_serve.py"],
    "tag": ["tests/audio/test_tag.py"],
    "records": [
        "tests/test_records.py",
        "tests/test_config.py",
        "tests/text/test_writers.py",
        "tests/text/test_corrections.py",
        "tests/speech/test_diarize.py",
    ],
    "writers": ["tests/text/test_writers.py", "tests/text/test_corrections.py"],
    "render": ["tests/site/test_render.py", "tests/site/test_site.py", "tests/feed/test_feed.py"],
    "apple": ["tests/feed/test_apple.py", "tests/test_config.py"],
    "layout": ["tests/test_layout.py", "tests/feed/test_feed.py", "tests/audio/test_tag.py", "tests/site/test_site.py"],
    "results": ["tests/test_results.py", "tests/test_engine.py", "tests/test_layout.py", "tests/text/test_corrections.py"],
    "lint": ["tests/feed/test_lint.py"],
    "topics": ["tests/text/test_topics.py", "tests/text/test_chapters.py"],
    "quotes": ["tests/text/test_quotes.py"],
}
COPIED = ["pipeline", "tests", "templates", "assets", "episodes", "scripts", "bench", "pyproject.toml", "podcast.toml", "README.md"]


def mutmut_config(source: str, tests: list[str]) -> str:
    """The [tool.mutmut] table for one module's run."""
    settings = {
        "source_paths": ["pipeline"],
        "only_mutate": [source],
        "also_copy": ["templates", "assets", "episodes", "scripts", "bench", "podcast.toml", "README.md"],
        "pytest_add_cli_args": ["-p", "no:cacheprovider", *FAST],
        "pytest_add_cli_args_test_selection": tests,
        "use_git_change_detection": False,
        "timeout_multiplier": 15.0,
    }
    return "\n[tool.mutmut]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())


def prepare(source: Path, work: Path, module: str) -> str:
    """Copy the tree into `work` and set mutmut up there; returns the mutated file's path."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, work / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        elif path.is_file():
            shutil.copy2(path, work / name)
    tests = [name for name in MODULES[module] if (work / name.split("::")[0]).is_file()]  # an older checkout may lack some
    pyproject = work / "pyproject.toml"
    # A module is at the top, in a sub-package (audio/, text/…), or a stage's in stages/; in older
    # checkouts all sat beside each other.
    found = [
        f"pipeline/{module}.py",
        *sorted(str(f.relative_to(work)) for f in work.glob(f"pipeline/*/{module}.py") if f.parent.name != "stages"),
        f"pipeline/stages/{module}.py",
    ]
    mutated = next(f for f in found if (work / f).is_file())
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + mutmut_config(mutated, tests), encoding="utf-8")
    return mutated


def results(work: Path) -> dict[str, str]:
    """{mutant name: status} from the meta files mutmut leaves beside each mutated module."""
    from mutmut.stats import status_by_exit_code

    found = {}
    for meta in (work / "mutants").rglob("*.py.meta"):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            found[name] = status_by_exit_code[code]
    return found


def run(source: Path, root: Path, module: str, children: int) -> dict[str, int]:
    work = root / module
    mutated = prepare(source, work, module)
    mutmut = Path(sys.executable).with_name("mutmut")
    log = work / "mutmut.log"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with log.open("w") as out:
        run = subprocess.run([str(mutmut), "run", "--max-children", str(children)], cwd=work, stdout=out, stderr=subprocess.STDOUT, env=env)
    statuses = results(work)
    if run.returncode or not statuses:  # seen once: mutmut stopped after "Running mutation testing"
        print(f"{module}: mutmut exited with {run.returncode} and {len(statuses)} results; see {log}", file=sys.stderr)
    counts = {status: sum(1 for s in statuses.values() if s == status) for status in sorted(set(statuses.values()))}
    survivors = {name: status for name, status in sorted(statuses.items()) if status not in ("killed", "timeout")}
    # One process for every diff (`mutmut show` costs a second each); run where mutmut ran.
    script = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "for name, status in json.load(sys.stdin).items():\n"
        f"    print(f'## {{name}} ({{status}})\\n' + get_diff_for_mutant(name, path='{mutated}') + '\\n')\n"
    )
    with (work / "survivors.txt").open("w") as out:
        subprocess.run([sys.executable, "-c", script], cwd=work, input=json.dumps(survivors), stdout=out, text=True, env=env)
    return {"total": len(statuses), **counts}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="module", help=f"among {', '.join(MODULES)} (default: all)")
    parser.add_argument("--source", type=Path, default=REPO, help="the checkout whose code and tests to use")
    parser.add_argument("--work", type=Path, default=REPO / ".build" / "mutation", help="where the copies go")
    parser.add_argument("--children", type=int, default=1, help="mutants tested at once (default 1, for a shared machine)")
    args = parser.parse_args()
    unknown = set(args.modules) - set(MODULES)
    if unknown:
        parser.error(f"no such module: {', '.join(sorted(unknown))} (choose among {', '.join(MODULES)})")
    if shutil.which("mutmut", path=str(Path(sys.executable).parent)) is None:
        print("mutmut is not installed: .venv/bin/pip install -e '.[mutation]'", file=sys.stderr)
        return 1
    summary = {}
    for module in args.modules or MODULES:
        counts = run(args.source.resolve(), args.work.resolve(), module, args.children)
        caught = counts.get("killed", 0) + counts.get("timeout", 0)
        summary[module] = counts
        print(f"{module:12} {caught:4} / {counts['total']:4} caught  {counts}", flush=True)
    (args.work / "summary.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
