"""Mutation testing of the whole package with mutmut, each mutant against the tests that reach it.

mutmut changes one thing at a time in a module (a `<` into `<=`, a string, a constant, a call
dropped...) and runs the tests that reach the function it changed: a change no test notices
("survived") is behaviour the tests do not pin down. Not run by `make test` nor by CI: the whole
package takes hours even narrowed as below (bench/mutation.md). Install its extra first:
`.venv/bin/pip install -e '.[mutation]'`.

    .venv/bin/python bench/mutation.py                        # every module of pipeline/
    .venv/bin/python bench/mutation.py times feed.rules host/gate.py
    .venv/bin/python bench/mutation.py --resume               # go on where a stopped run was
    .venv/bin/python bench/mutation.py --refresh              # the same, after copying the tree again
    .venv/bin/python bench/mutation.py --source /tmp/old feed.rss   # another checkout's code

Every module of `pipeline/` is mutated, none chosen by hand. The tree (what git tracks, and
files not yet added) is copied to `.build/mutation/`, since mutmut writes its mutants beside
the code it copies, and mutmut runs once there over the fast tests (`-m "not slow and not
browser"`): a first pass with every function instrumented records which tests call each
function (mutmut's "stats"), then each mutant runs only the tests that called the function it
sits in, stopping at the first failure. A module no fast test reaches is reported "not
measured" (only the tests that load the Whisper model or open Chromium do, or none), not
skipped quietly; so is a function of a measured module no fast test calls ("no tests").
One worker unless `--children` says more, so a 2-core machine shared with others stays usable;
mutmut stops a mutant's tests after 6 times the CPU time they took unmutated, plus 60 s (a
mutant that loops forever counts as caught: "timeout").

By default each mutant is also kept from the whole-show tests: a test that calls more than
`--broad-above` (200) of the package's functions (about 520 are instrumented) builds a whole
show, and mutmut, which counts a test for every function it reaches at any depth, would give
it to nearly every mutant. With them the median mutant gets about 200 s of tests and the
package about 134 hours on one worker; without them 1.2 s, and 2.3 to 10.5 hours measured on
one worker, a working day on 2 cores (bench/mutation.md). They are dropped from mutmut's
stats in memory, after its first pass and before the mutants run
(`mutants/mutmut-stats.json` keeps them), and the whole package is
instrumented even when some modules are named, so that "reaches more than 200" means the same
in every run. A function that only such builds reach (a stage's `run`, the report, the feed's
namespace extension when no unit test calls it) keeps the `--whole-show-tests` (2) fastest of
them, so that its mutants are scored too; with 0 they are reported "no tests (whole-show tests
only)", out of the score, as "no tests" is. Every function also keeps the `--near-tests` (2)
fastest whole-show tests of its own module's test files (tests/site/ for stages/site.py), else of
its package's (tests/feed/ for feed/rss.py): a function a unit test reaches lost every build
before, and a stage's `run` or `build_feed` was judged by that unit test alone. With those come
the quick tests of the same files (under `SHORTEST_BUILD`), which share the show the kept one
built in a module-scoped fixture and assert on it: mutmut charges each test only with what ran
since the previous one, so the build is the first test's and the others' bodies call nothing of
it. A test's recorded time counts its fixtures' setup, so that the first one is timed as the
build it makes. `--broad` keeps every test (mutmut's own selection, the slow way).

`--recheck`, after a run (finished or stopped), gives each survivor the whole-show tests the
narrowing kept from it (its function's 12 fastest), alone, fastest first, stopping at the first
failure: a survivor one of them kills ("killed by a whole-show test", caught) was a gap of the
narrowing, not of the tests. 10 to 30 s a survivor on one worker (host/checks.py: 35 of 39
killed in 377 s; build.py: 48 of 99, with the stage walk's builds). A recheck that times out
stays a survivor.

`--refresh` copies the tree again over a stopped or finished run and goes on: mutmut keeps the
result of each mutant whose function is unchanged (it hashes each function) and runs a stats pass
for the tests added since; survivors, "no tests" and timeouts are tried again, with those tests.

Survivors no test can tell from the code are read from their diffs and counted apart, out of
the score (EQUIVALENT below): a key renamed in a dict that is only hashed (a stage's `settings`),
a name read without its case (a codec, a distribution, an HTTP header), `encoding="utf-8"` left
out where the locale is UTF-8, False given as None to a keyword only tested for truth.

Prints killed / total and the score per module and for the package, writes each survivor's
diff to `survivors/<module>.txt` and the figures to `summary.json`, both under `--work`.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
FAST = ["-m", "not slow and not browser"]
LEFT_OUT = {".venv", ".build", "public", ".git"}  # never copied, whatever git says
RECHECKED = "killed by a whole-show test"  # by --recheck
CAUGHT = ("killed", "timeout", RECHECKED)
RECHECK_SECONDS = 900  # a survivor's whole-show tests, at most, under its mutant
# The fastest whole-show tests of its function a survivor is given: a stage's `run` is reached
# by every build test (125), which a survivor would run through for minutes. Fewer leave more
# survivors, never a false kill.
RECHECK_TESTS = 12
WHOLE_SHOW = "no tests (whole-show tests only)"
# Survivors no test can tell from the code, read from their diffs and counted apart, out of the
# score (`equivalent()`):
# - A key of a dict whose only use is to be hashed into a fingerprint, renamed ("language" into
#   "XXlanguageXX" or "LANGUAGE"): the hash changes once, every episode reruns that stage once
#   after an upgrade, as a version bump makes it, and no output differs. Only a recorded hash
#   would tell, and every legitimate change of a setting would break it too. The functions whose
#   dicts are only hashed: every stage's `settings`, what the gate (`item_key`) and the site's
#   page reuse (`_episode_keys`) hash.
# - A name read without its case, upper-cased: a codec (`encoding="UTF-8"`), a distribution
#   (`package_version("MUTAGEN")`: importlib.metadata normalises it), `float("-INF")`, an HTTP header's name
#   (`send_header("CONTENT-TYPE", …)`, `"range" in self.headers`: RFC 9110 makes them
#   case-insensitive, and so do clients and http.server). Upper or lower case.
# - `encoding="utf-8"` given as None or left out, where the locale's encoding is UTF-8: on every
#   machine the tests run on (Python's UTF-8 mode is on in the C locale, PEP 540), and a running
#   interpreter's encoding cannot be changed from a test. Counted apart from the other two: on a
#   Windows host's cp1252 these are real bugs, which the explicit encodings prevent.
# - False given as None to a keyword its callee only tests for truth: click.echo's `nl`, textwrap's
#   `break_long_words` and `break_on_hyphens`, json.dumps' `ensure_ascii`, filecmp.cmp's `shallow`.
FINGERPRINT = "equivalent: a name inside a fingerprint"
CASE = "equivalent: a name read without its case"
LOCALE = "equivalent where the locale is UTF-8"
FALSY = "equivalent: False given as None to a truth test"
EQUIVALENT = (FINGERPRINT, CASE, LOCALE, FALSY)
TRUTH_TESTED = ("nl", "break_long_words", "break_on_hyphens", "ensure_ascii", "shallow")
HASHED = re.compile(r"(ǁsettings|\.x_item_key|\.x__episode_keys)__mutmut_\d+$")
DICT_KEY = re.compile(r'"([^"\n]*)"(?=\s*:)')
CASELESS = (
    re.compile(r'(?:encoding=|package_version\(|send_header\(|float\(|self\.headers\.get\()"([^"\n]*)"'),
    re.compile(r'"([^"\n]*)"(?= (?:not )?in self\.headers)'),  # http.server's headers: an email.message.Message
)
NOT_SCORED = ("no tests", WHOLE_SHOW, "not checked", *EQUIVALENT)
BROAD_ABOVE = 200
WHOLE_SHOW_TESTS = 2
NEAR_TESTS = 2  # whole-show tests of the function's own module's or package's test files, kept for each
# A build test recorded faster than this shares a build an earlier test made (a module-scoped
# fixture): run alone for a mutant it makes that build too, past the time limit mutmut sets from
# the recorded time, and the mutant would count as caught by a timeout.
SHORTEST_BUILD = 0.3
NO_TESTS = 33  # mutmut's exit code for a mutant no test reaches

# Runs `mutmut run` in this process, with its stats narrowed between the first pass and the
# mutants: mutmut reads `tests_by_mangled_function_name` for each mutant's tests, its clean run,
# its order and its timeouts, all after `collect_or_load_stats` returns. mutmut's own
# `max_stack_depth` was not used: it counts frames of the package, not how much of it a test
# builds (a unit test of a deep helper and a whole-show build are not told apart), and it
# resolves every frame's file with `strict=True`, which raises on code compiled from a string
# (dataclasses' `__init__`, jinja2's templates).
NARROWING_DRIVER = """
import json, os, sys
from pathlib import Path
import mutmut.__main__ as main
from mutmut.runners.harness import PytestRunner
from mutmut.state import state
from threadpoolctl import threadpool_limits

# Each mutant runs in a fork of this process, whose tests (the stats pass, the clean run) left
# OpenMP thread teams behind: torch.set_num_threads(2) in the transcriber raises libgomp's count
# past OMP_NUM_THREADS=1. A team's threads do not survive a fork, so the first parallel region
# of the child (scikit-learn's KMeans in voices.cluster) waits on them forever. One thread in
# the child: no team is used. distributed's offload thread (a module's executor, left by the Dask
# tests) does not survive either: a cluster started in the child waits on it forever.
def fresh_child():
    threadpool_limits(1)
    # A cached function's answer (codec_gain's measure, ffmpeg's version) came from the clean run,
    # unmutated: the mutant of a function it calls would never run. Asked again in each child.
    for name, module in list(sys.modules.items()):
        if name.startswith("pipeline."):
            for value in list(vars(module).values()):
                if getattr(value, "__module__", None) == name and callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    utils = sys.modules.get("distributed.utils")
    if utils is not None:
        utils._offload_executor = utils.ThreadPoolExecutor(max_workers=1, thread_name_prefix="Dask-Offload")

os.register_at_fork(after_in_child=fresh_child)

above = int(sys.argv.pop(1))
keep, shortest, near_keep = int(sys.argv.pop(1)), float(sys.argv.pop(1)), int(sys.argv.pop(1))
modules = tuple(m + "." for m in sys.argv.pop(1).split(",") if m)
collect = main.collect_or_load_stats
mutants_of = main.collect_source_file_mutation_data

def only_chosen(*args, **kwargs):
    # Every module is mutated; a resumed run names no mutant, so keep it to the chosen modules.
    mutants, by_path = mutants_of(*args, **kwargs)
    return [m for m in mutants if not modules or m[1].startswith(modules)], by_path

execute = PytestRunner.execute_pytest

class SetupTime:
    # mutmut times a test's body only: the first test of a file whose module-scoped fixture builds a
    # show was recorded at a tenth of a second, never kept as a whole-show test, and given a time
    # limit a tenth of its build's. Its fixtures' setup counted too.
    def pytest_runtest_makereport(self, item, call):
        if call.when == "setup":
            state().duration_by_test[item.nodeid] += call.duration

def with_setup_time(self, params, **kwargs):
    plugins = kwargs.get("plugins") or []
    if any(type(p).__name__ == "StatsCollector" for p in plugins):
        kwargs["plugins"] = [*plugins, SetupTime()]
    return execute(self, params, **kwargs)

def narrowed(*args, **kwargs):
    collect(*args, **kwargs)
    by_function = state().tests_by_mangled_function_name
    reach = {}
    for tests in by_function.values():
        for test in tests:
            reach[test] = reach.get(test, 0) + 1
    broad = {test for test, count in reach.items() if count > above}
    emptied = sorted(name for name, tests in by_function.items() if tests and tests <= broad)
    duration = state().duration_by_test
    # A test quicker than `shortest` beside a whole-show test shares the show it built (or needs
    # none): its body asserts on that build, but mutmut charges it only with what its body calls.
    sharing = {}
    for test in sorted(duration):
        if duration[test] < shortest:
            sharing.setdefault(test.split("::")[0], []).append(test)
    kept = {}
    for name in list(by_function):
        timed = [t for _, t in sorted((duration[t], t) for t in by_function[name] & broad if duration[t] >= shortest)]
        # A stage's run or build_feed is judged by a unit test or two otherwise; the tests that share
        # the build of the near ones come with them, at little cost (one build a file).
        near = near_tests(name, timed)[:near_keep]
        near += [t for f in dict.fromkeys(t.split("::")[0] for t in near) for t in sharing.get(f, [])]
        chosen = list(dict.fromkeys(near + timed[:keep])) if name in emptied else near
        if chosen:
            kept[name] = chosen
        by_function[name] = (set() if name in emptied else by_function[name] - broad) | set(chosen)
    Path("mutants/narrowed.json").write_text(json.dumps(
        {"broad_above": above, "functions": len(by_function), "broad_tests": sorted(broad),
         "whole_show_only": emptied, "whole_show_tests_kept": kept}, indent=1))
    print(f"narrowed: {len(broad)} of {len(reach)} tests reach more than {above} of "
          f"{len(by_function)} functions; {len(emptied)} functions reached by those alone keep "
          f"their {keep} fastest; every function keeps up to {near_keep} of its module's or package's", flush=True)

def module_first(name, cost=main.estimated_worst_case_time):
    # mutmut runs the mutants in order of their tests' time; keep that within each module and
    # take the modules in the order named, so that a run stopped early leaves whole modules.
    return (next((i for i, m in enumerate(modules) if name.startswith(m)), len(modules)), cost(name))

regular_run = PytestRunner._pytest_args_regular_run
run_tests = PytestRunner.run_tests
mutant = [""]

def named_run(self, *, mutant_name, tests):
    mutant[0] = mutant_name or ""
    return run_tests(self, mutant_name=mutant_name, tests=tests)

def cheapest_first(self, tests):
    # mutmut hands a mutant's tests over as a set, and pytest runs its arguments in the order
    # given: a unit test that kills could wait behind a whole build, and a test file that came back
    # set its module's fixtures (a built show) up again. One file after another: the mutated
    # module's own test files first (test_rules_edges.py for feed/rules.py, where the kills are),
    # then the cheapest a test: a file of unit tests before a file of one whole build, however
    # few (feed/podcast_rules.py's 153 tests in test_lint.py had waited behind ten such files).
    duration = state().duration_by_test
    files = {}
    for test in sorted(tests, key=lambda t: (duration.get(t, 0.0), t)):
        files.setdefault(test.split("::")[0], []).append(test)
    own = set(own_files(mutant[0], list(files))) if mutant[0] else set()
    ordered = sorted(files.values(), key=lambda group: (group[0].split("::")[0] not in own, sum(duration.get(t, 0.0) for t in group) / len(group), group[0]))
    return regular_run(self, [test for group in ordered for test in group])

clean_tests = main.tests_for_mutant_names

def chosen_clean_tests(names):
    # A resumed run names no mutant, and mutmut's clean run then ran every fast test (10 minutes
    # on one worker) for the few modules chosen: their functions' tests are enough.
    return clean_tests(names or [m + "x*" for m in modules])

PytestRunner._pytest_args_regular_run = cheapest_first
main.tests_for_mutant_names = chosen_clean_tests
PytestRunner.run_tests = named_run
PytestRunner.execute_pytest = with_setup_time
main.collect_or_load_stats = narrowed
main.collect_source_file_mutation_data = only_chosen
main.estimated_worst_case_time = module_first
sys.argv[0] = "mutmut"
main.cli()
"""


def near_tests(function: str, tests: list[str]) -> list[str]:
    """Of `tests`, in their order, those of the function's own module's test files (tests/site/ for
    stages/site.py, test_build.py for build.py), then those of its package's (tests/feed/ for
    feed/rss.py). `function`: a mangled function or mutant name, `pipeline.stages.site.xǁSiteǁrun`.
    Its source is also the narrowing driver's, which runs in mutmut's process."""
    own = own_files(function, tests)
    package = function.split(".")[1]
    return own + [t for t in tests if f"tests/{package}/" in t.split("::")[0] and t not in own]


def own_files(function: str, tests: list[str]) -> list[str]:
    """Of `tests` (test ids or files), in their order, those of the function's own module's test
    files: tests/site/test_site.py for stages/site.py, test_rules_edges.py for feed/rules.py."""
    stem = function.rpartition(".")[0].rpartition(".")[2]
    return [t for t in tests if f"/{stem}" in t.split("::")[0] or f"test_{stem}" in t.split("::")[0]]


def modules_of(source: Path) -> list[str]:
    """Every module of the package, dotted (`pipeline.feed.rules`), packages' `__init__` left out
    (none defines a function)."""
    return sorted(
        ".".join(path.relative_to(source).with_suffix("").parts)
        for path in (source / "pipeline").rglob("*.py")
        if path.name != "__init__.py" and "templates" not in path.parts and "assets" not in path.parts
    )


def module_named(name: str, known: list[str]) -> str:
    """`feed.rules`, `pipeline/feed/rules.py`, `pipeline.feed.rules` or a unique last part
    (`rules`) -> `pipeline.feed.rules`."""
    dotted = name.removesuffix(".py").replace("/", ".")
    dotted = dotted if dotted.startswith("pipeline.") else f"pipeline.{dotted}"
    if dotted in known:
        return dotted
    tail = [m for m in known if m.rsplit(".", 1)[1] == name]
    if len(tail) == 1:
        return tail[0]
    raise ValueError(f"{name}: " + (f"which one? {', '.join(tail)}" if tail else "no such module in pipeline/"))


def copy_tree(source: Path, work: Path) -> None:
    """Copy what git knows of `source` (tracked and untracked-not-ignored) into `work`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        path = source / name
        if name.split("/")[0] in LEFT_OUT or not path.is_file():  # a file deleted but not yet from git's index
            continue
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, work / name)


def mutmut_config(work: Path, only: list[str], tests: list[str], deselect: list[str]) -> str:
    """The [tool.mutmut] table of the run."""
    top = sorted(p.name for p in work.iterdir() if p.name not in ("pipeline", "tests", "mutants", "pyproject.toml"))
    settings = {
        "source_paths": ["pipeline"],
        # pipeline/templates and pipeline/assets are the top folders, mapped in by setuptools.
        "do_not_mutate": ["pipeline/templates/*", "pipeline/assets/*"],
        # Debug and info log lines are for a person reading the log, and no behaviour hangs on
        # their words: each gave 4-6 survivors (the message or an argument dropped, None, "XX…XX",
        # upper case). Warnings and errors stay mutated: a host reads those.
        "do_not_mutate_patterns": [r"logger\.(debug|info)\("],
        "also_copy": top,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", *FAST, *(f"--deselect={node}" for node in deselect)],
        "pytest_add_cli_args_test_selection": tests,
        "use_git_change_detection": False,
        # A mutant's tests are stopped after (t + 10 s) x 3 x 2 of CPU time, t being the time they
        # took in the stats pass. mutmut's default multiplier, 15, let each mutant that loops
        # (a `while` kept true) burn 155 s in gate.py's `approve`; 3 is still 6 times what the
        # tests need, and CPU time, unlike the wall clock, does not grow with others' load. The
        # 10 s: a test that shares a module's build is recorded at a tenth of a second, but run
        # alone for a mutant it makes that build, on two threads (15 s of CPU for chapters'
        # tests): with 1 s, 17 of topics.py's first 99 mutants were "caught" by timing out so.
        "timeout_multiplier": 3.0,
        "timeout_constant": 10.0,
    }
    if only:
        settings["only_mutate"] = only
    return "\n[tool.mutmut]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())


def prepare(source: Path, work: Path, modules: list[str], tests: list[str], deselect: list[str]) -> None:
    """A fresh copy of the tree in `work`, mutmut set up to mutate `modules` (all when empty)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    copy_tree(source, work)
    only = [m.replace(".", "/") + ".py" for m in modules]
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + mutmut_config(work, only, tests, deselect), encoding="utf-8")


def forget_untested(work: Path) -> None:
    """Drop the "no tests" and "timeout" results of a stopped run, so that a resumed one gives
    those mutants the tests its narrowing finds and tries again those that ran out of time
    (mutmut keeps every result it has; a timeout is worth a second look, since it counts as caught)."""
    from mutmut.stats import status_by_exit_code

    for meta in (work / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        codes = data["exit_code_by_key"]
        data["exit_code_by_key"] = {name: code for name, code in codes.items() if code != NO_TESTS and status_by_exit_code[code] != "timeout"}
        meta.write_text(json.dumps(data, indent=4))


def refresh(source: Path, work: Path) -> None:
    """Bring a stopped or finished run up to the tree in `source`, keeping what still holds: the
    code, tests and files are copied again, and mutmut's copy of them made again from that, but
    not its results. mutmut then makes the mutants again and keeps the result of every mutant whose
    function did not change (a hash per function), and gives the tests added since a stats pass
    of their own (mutmut's incremental stats). Killed stays killed: tests are added, not weakened.
    Survivors, "no tests" and timeouts are tried again, with the new tests. A `--recheck` verdict
    is kept for the modules whose code did not change."""
    from mutmut.stats import status_by_exit_code

    kept_files = {"mutants", "survivors", "mutmut.log", "recheck.json", "summary.json"}
    changed = {
        ".".join(Path(name).with_suffix("").parts)
        for name in (p.relative_to(source).as_posix() for p in (source / "pipeline").rglob("*.py"))
        if not (work / name).is_file() or (work / name).read_bytes() != (source / name).read_bytes()
    }
    config = (work / "pyproject.toml").read_text(encoding="utf-8").partition("\n[tool.mutmut]\n")[2]
    for path in work.iterdir():
        if path.name not in kept_files:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    copy_tree(source, work)
    pyproject = work / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n[tool.mutmut]\n" + config, encoding="utf-8")
    for path in sorted((work / "mutants").iterdir()):
        if path.name != "pipeline" and path.name not in ("mutmut-stats.json", "narrowed.json"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in (work / "mutants" / "pipeline").rglob("*"):
        if path.is_file() and not path.name.endswith(".meta"):
            path.unlink()
    for meta in (work / "mutants").rglob("*.py.meta"):
        data = json.loads(meta.read_text())
        data["exit_code_by_key"] = {name: code for name, code in data["exit_code_by_key"].items() if code is not None and status_by_exit_code[code] == "killed"}
        meta.write_text(json.dumps(data, indent=4))
    saved = work / "recheck.json"
    if saved.exists():
        verdicts = json.loads(saved.read_text())
        saved.write_text(json.dumps({name: v for name, v in verdicts.items() if name.rpartition(".")[0] not in changed}, indent=1))


def changed_line(diff: str) -> tuple[str, str] | None:
    """The one line a mutant's diff changes, before and after; None if it changes more."""
    lines = diff.splitlines()
    old = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    new = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    return (old[0], new[0]) if len(old) == 1 and len(new) == 1 else None


def one_string_changed(old: str, new: str, pattern: re.Pattern[str], renamings: Callable[[str], tuple[str, ...]]) -> bool:
    """Whether `new` is `old` with one string `pattern` finds (group 1) replaced by one of its renamings."""
    return any(
        old[: found.start(1) - 1] + f'"{renamed}"' + old[found.end(1) + 1 :] == new for found in pattern.finditer(old) for renamed in renamings(found.group(1))
    )


def equivalent(name: str, diff: str) -> str | None:
    """FINGERPRINT, CASE, LOCALE or FALSY if the survivor `name`, changing `diff`, is one of those (above)."""
    line = changed_line(diff)
    if line is None:
        return None
    old, new = line
    # The dict a `settings` returns is hashed; the keys `_episode_keys` returns are read.
    if HASHED.search(name) and (not old.lstrip().startswith("return") or "ǁsettings__" in name):
        if one_string_changed(old, new, DICT_KEY, lambda key: (f"XX{key}XX", key.upper())):
            return FINGERPRINT
    if any(one_string_changed(old, new, pattern, lambda text: (text.upper(), text.lower())) for pattern in CASELESS):
        return CASE
    if any(f"{key}=False" in old and new == old.replace(f"{key}=False", f"{key}=None", 1) and old.count(f"{key}=False") == 1 for key in TRUTH_TESTED):
        return FALSY
    utf8 = 'encoding="utf-8"'
    if utf8 in old and new in (old.replace(utf8, "encoding=None"), old.replace(f", {utf8})", ", )"), old.replace(f"({utf8})", "()")):
        return LOCALE
    return None


def equivalents(work: Path, survivors: list[str]) -> dict[str, str]:
    """{survivor: its kind of EQUIVALENT} for the survivors that are, read from their diffs (kept in
    `diffs.json`: the rules may change, a mutant's diff does not)."""
    saved = work / "diffs.json"
    diffs: dict[str, str] = json.loads(saved.read_text()) if saved.exists() else {}
    asked = [name for name in survivors if name not in diffs]
    if asked:
        script = (
            "import json, sys\n"
            "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
            "print(json.dumps({name: get_diff_for_mutant(name, path=path) for name, path in json.load(sys.stdin)}))\n"
        )
        paths = [(name, name.rpartition(".")[0].replace(".", "/") + ".py") for name in asked]
        read = subprocess.run([sys.executable, "-c", script], cwd=work, input=json.dumps(paths), capture_output=True, text=True, check=True)
        diffs.update(json.loads(read.stdout))
        saved.write_text(json.dumps(diffs, indent=1))
    return {name: kind for name in survivors if (kind := equivalent(name, diffs[name]))}


def results(work: Path) -> dict[str, dict[str, tuple[str, float]]]:
    """{module: {mutant name: (status, seconds)}} from the meta files mutmut leaves beside each
    mutated module."""
    from mutmut.stats import status_by_exit_code

    found: dict[str, dict[str, tuple[str, float]]] = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        module = ".".join(meta.relative_to(work / "mutants").with_suffix("").with_suffix("").parts)
        data = json.loads(meta.read_text())
        durations = data.get("durations_by_key", {})
        found[module] = {name: (status_by_exit_code[code], durations.get(name) or 0.0) for name, code in data["exit_code_by_key"].items()}
    rechecked = work / "recheck.json"
    if rechecked.exists():
        killed = {name for name, verdict in json.loads(rechecked.read_text()).items() if verdict == RECHECKED}
        for statuses in found.values():
            for name in killed & statuses.keys():
                statuses[name] = (RECHECKED, statuses[name][1])
    survived = [name for statuses in found.values() for name, (status, _) in statuses.items() if status == "survived"]
    same = equivalents(work, survived)
    for statuses in found.values():
        for name in same.keys() & statuses.keys():
            statuses[name] = (same[name], statuses[name][1])
    narrowed = work / "mutants" / "narrowed.json"
    if narrowed.exists():
        from mutmut.utils.format_utils import mangled_name_from_mutant_name

        emptied = set(json.loads(narrowed.read_text())["whole_show_only"])
        for statuses in found.values():
            for name, (status, seconds) in statuses.items():
                if status == "no tests" and mangled_name_from_mutant_name(name) in emptied:
                    statuses[name] = (WHOLE_SHOW, seconds)
    return found


def score(counts: dict[str, int]) -> str:
    measured = counts["total"] - sum(counts.get(s, 0) for s in NOT_SCORED)
    if not measured:
        if counts.get(WHOLE_SHOW):
            return "not measured: only whole-show tests reach it"
        return "not measured: no fast test reaches it" if counts.get("no tests") else "not run yet"
    caught = sum(counts.get(s, 0) for s in CAUGHT)
    return f"{caught} / {measured} caught ({100 * caught / measured:.1f} %)"


def write_survivors(work: Path, module: str, survivors: dict[str, str], env: dict[str, str]) -> None:
    """Each survivor's diff, in one process (`mutmut show` costs a second a mutant)."""
    out_dir = work / "survivors"
    out_dir.mkdir(exist_ok=True)
    path = module.replace(".", "/") + ".py"
    script = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "for name, status in json.load(sys.stdin).items():\n"
        f"    print(f'## {{name}} ({{status}})\\n' + get_diff_for_mutant(name, path='{path}') + '\\n')\n"
    )
    with (out_dir / f"{module}.txt").open("w") as out:
        subprocess.run([sys.executable, "-c", script], cwd=work, input=json.dumps(survivors), stdout=out, text=True, env=env)


def recheck(work: Path, modules: list[str], env: dict[str, str], children: int) -> None:
    """Each survivor run again, alone, against the whole-show tests the narrowing kept from it
    (those of its function, fastest first, stopping at the first failure), with mutmut's own
    switch: `MUTANT_UNDER_TEST` names the mutant the instrumented copy runs. A survivor they
    kill was no gap in the tests, only in the narrowing. Results go to `recheck.json` as they
    come, so a stopped recheck goes on where it was."""
    from mutmut.utils.format_utils import mangled_name_from_mutant_name

    stats = json.loads((work / "mutants" / "mutmut-stats.json").read_text())
    narrowed = json.loads((work / "mutants" / "narrowed.json").read_text())
    broad, kept = set(narrowed["broad_tests"]), narrowed["whole_show_tests_kept"]
    by_function, duration = stats["tests_by_mangled_function_name"], stats["duration_by_test"]
    saved = work / "recheck.json"
    done: dict[str, str] = json.loads(saved.read_text()) if saved.exists() else {}
    lock = threading.Lock()

    def verdict(name: str) -> None:
        function = mangled_name_from_mutant_name(name)
        timed = sorted(set(by_function.get(function, ())) & broad - set(kept.get(function, ())), key=lambda t: duration.get(t, 0.0))
        # Those of the module's or package's own test files first: a stage's function is reached
        # by every build, and its 12 fastest builds rarely look at its output.
        near = near_tests(function, timed)
        tests = (near + [t for t in timed if t not in near])[:RECHECK_TESTS]
        if not tests:
            found = "no whole-show test"
        else:
            command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *FAST, *tests]
            try:
                run = subprocess.run(command, cwd=work / "mutants", env={**env, "MUTANT_UNDER_TEST": name}, capture_output=True, timeout=RECHECK_SECONDS)
                found = RECHECKED if run.returncode == 1 else "survived its whole-show tests"
            except subprocess.TimeoutExpired:
                found = "timeout"
        with lock:
            done[name] = found
            saved.write_text(json.dumps(done, indent=1))
            print(f"{name:70} {found}", flush=True)

    left = [
        name
        for module, statuses in results(work).items()
        if not modules or module in modules
        for name, (status, _) in statuses.items()
        if status == "survived" and name not in done
    ]
    with ThreadPoolExecutor(children) as pool:
        list(pool.map(verdict, left))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", metavar="module", help="e.g. times, feed.rules, pipeline/host/gate.py (default: every module)")
    parser.add_argument("--source", type=Path, default=REPO, help="the checkout whose code and tests to use")
    parser.add_argument("--work", type=Path, default=REPO / ".build" / "mutation", help="where the copy goes")
    parser.add_argument("--children", type=int, default=1, help="mutants tested at once (default 1, for a shared machine)")
    parser.add_argument("--resume", action="store_true", help="keep the copy a stopped run left and test the mutants it did not reach")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="like --resume, after copying the tree again: survivors and changed functions tested again, with the tests added since",
    )
    parser.add_argument(
        "--tests",
        action="append",
        metavar="PATH",
        help="a test file or folder of the stats pass, once per path (default: all of tests/); fewer make a quicker, harsher run of a few modules",
    )
    parser.add_argument("--deselect", action="append", default=[], metavar="NODE", help="a fast test to leave out (broken in the tree, say)")
    parser.add_argument(
        "--broad",
        action="store_true",
        help="keep the whole-show tests in each mutant's tests (mutmut's own selection: about 134 h for the package)",
    )
    parser.add_argument(
        "--broad-above",
        type=int,
        default=BROAD_ABOVE,
        metavar="N",
        help=f"a test that calls more than N functions is a whole-show test (default {BROAD_ABOVE})",
    )
    parser.add_argument(
        "--whole-show-tests",
        type=int,
        default=WHOLE_SHOW_TESTS,
        metavar="K",
        help=f"a function only whole-show tests reach keeps the K fastest of them (default {WHOLE_SHOW_TESTS}; 0: none, out of the score)",
    )
    parser.add_argument(
        "--near-tests",
        type=int,
        default=NEAR_TESTS,
        metavar="K",
        help=f"every function keeps the K fastest whole-show tests of its module's own test files, else of its package's (default {NEAR_TESTS})",
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="run each survivor of a finished or stopped run again against the whole-show tests the narrowing kept from it",
    )
    args = parser.parse_args()
    source, work = args.source.resolve(), args.work.resolve()
    known = modules_of(source)
    try:
        chosen = [module_named(name, known) for name in args.modules]
    except ValueError as e:
        parser.error(str(e))
    mutmut = Path(sys.executable).with_name("mutmut")
    if not mutmut.exists():
        print("mutmut is not installed: .venv/bin/pip install -e '.[mutation]'", file=sys.stderr)
        return 1
    if args.recheck:
        if not (work / "mutants" / "narrowed.json").is_file():
            parser.error(f"--recheck: no narrowed run in {work}")
    elif args.refresh:
        if not (work / "mutants" / "mutmut-stats.json").is_file():
            parser.error(f"--refresh: no run to refresh in {work}")
        refresh(source, work)
        args.resume = True
    elif not (args.resume and (work / "mutants").is_dir()):
        # Narrowed, every module is instrumented (only the chosen ones' mutants run), so that a
        # test's reach is counted over the whole package whatever the modules named.
        prepare(source, work, chosen if args.broad else [], args.tests or ["tests"], args.deselect)
    else:
        forget_untested(work)
    # mutmut forks each mutant's run from a process that has loaded NumPy, scikit-learn and
    # PyTorch: a BLAS or OpenMP thread pool started before the fork hangs the child on a lock
    # no thread holds (voices.cluster's mutants all "timed out" so, each after 30 s). One
    # thread each, no pool to inherit.
    threads = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env = {**os.environ, **threads, "PYTHONDONTWRITEBYTECODE": "1"}
    log = work / "mutmut.log"
    started = time.monotonic()
    # Mutants are named `pipeline.feed.rules.x_function__mutmut_3` (a method: `xǁClassǁmethod`).
    # Naming them also narrows mutmut's clean run to their tests; a resumed run names none, since
    # mutmut tests a named mutant again even when it has a result.
    names = [] if args.resume else [f"{module}.x*" for module in chosen]
    narrowing = [str(args.broad_above), str(args.whole_show_tests), str(SHORTEST_BUILD), str(args.near_tests)]
    driver = inspect.getsource(near_tests) + inspect.getsource(own_files) + NARROWING_DRIVER
    if args.recheck:
        recheck(work, chosen, env, args.children)
        run = subprocess.CompletedProcess([], 0)
    else:
        with log.open("a") as out:
            run = subprocess.run(
                [
                    *([str(mutmut)] if args.broad else [sys.executable, "-c", driver, *narrowing, ",".join(chosen)]),
                    "run",
                    "--max-children",
                    str(args.children),
                    *names,
                ],
                cwd=work,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
    wall = time.monotonic() - started
    found = results(work)
    if run.returncode or not found:
        print(f"mutmut exited with {run.returncode}; see {log}", file=sys.stderr)
    summary: dict[str, dict[str, object]] = {}
    totals: dict[str, int] = {"total": 0}
    for module in chosen or known:
        statuses = found.get(module, {})
        counts: dict[str, int] = {"total": len(statuses)}
        for status, _ in statuses.values():
            counts[status] = counts.get(status, 0) + 1
            totals[status] = totals.get(status, 0) + 1
        totals["total"] += len(statuses)
        seconds = sum(s for _, s in statuses.values())
        summary[module] = {**counts, "seconds": round(seconds, 1)}
        if not statuses:
            print(f"{module:32} no function to mutate", flush=True)
            continue
        print(f"{module:32} {score(counts):36} {seconds:7.0f} s  {counts}", flush=True)
        survivors = {name: status for name, (status, _) in sorted(statuses.items()) if status not in (*CAUGHT, *NOT_SCORED)}
        if survivors:
            write_survivors(work, module, survivors, env)
    print(f"{'the package' if not chosen else 'these modules':32} {score(totals):36} {wall:7.0f} s wall  {totals}")
    (work / "summary.json").write_text(json.dumps({"modules": summary, "total": totals, "wall_seconds": round(wall)}, indent=1))
    return 0 if run.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
