"""Time a catalogue of many short episodes: a cold build of what follows transcription, a rebuild
with nothing changed, and `podcast status`, with each command's peak memory as the catalogue grows.

The show is generated in a folder: every episode has an episode.toml as a host writes one
(title, a Markdown description, a guest with a role and a bio, guests coming back across
episodes, chapters or links on some) and two tracks, the first 10 s of tests/data/duo-host.m4a
and duo-guest.m4a (espeak-ng). Setting up runs the real build in this process: normalise for
real, and transcribe with the bundled Whisper model once per distinct track, the transcript kept
by the track's content (every episode's levelled track is the same audio): the engine records the
transcribe stage as it always does, so the timed builds find it fresh. Only the prompt's guest
names differ between episodes, which the replayed transcript does not reflect.

Timed, each as a `podcast` subprocess, end to end, as a host runs it:
  cold    `podcast build` after removing public/ and every stage's record and outputs after
          transcribe (diarize … tag, feed, site, search): all of that redone
  no-op   `podcast build` again, nothing changed
  status  `podcast status`
at each size in --sizes (episodes added to the same show between sizes), with the peak RSS of
each process (os.wait4). The targets (issue 13) are absolute: cold <= 10 s, no-op <= 2 s,
status <= 1 s at 200 episodes, memory flat in the number of episodes.

    .venv/bin/python bench/catalogue.py                      # 50, 100 and 200 episodes
    .venv/bin/python bench/catalogue.py --episodes 200 --sizes 200 --keep /tmp/catalogue --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.audio import ffmpeg  # noqa: E402
from pipeline.files import file_sha256  # noqa: E402

CLIP_SECONDS = 10  # the host's line and the guest's answer
TARGETS = {"cold": 10.0, "no-op": 2.0, "status": 1.0}  # seconds, at 200 episodes (issue 13)
# What the transcribe stage leaves in an episode's cache, with normalise's: kept for a cold build.
KEPT = {"normalise.json", "transcribe.json", "levelled.mp3", "levelled.m4a", "speech.flac", "transcript.json"}
GUESTS = [
    ("Inès Moreau", "Développeuse freelance", "freelance"),
    ("Karim Benali", "Hôte d'un coworking", "coworking"),
    ("Sophie Martin", "Consultante en portage salarial", "portage"),
    ("Lucas Petit", "Fondateur de startup", "startup"),
    ("Aïcha Diallo", "Membre d'un collectif de designers", "collectif"),
    ("Paul Lefèvre", "Graphiste indépendant", "freelance"),
]
TOPICS = [
    "le portage salarial",
    "fixer son TJM",
    "trouver ses premiers clients",
    "la solitude du freelance",
    "les espaces de coworking",
    "l'URSSAF sans douleur",
    "travailler en collectif",
    "dire non à un client",
]


def episode_toml(n: int) -> str:
    """A realistic episode.toml: guests come back every len(GUESTS) * 5 episodes, under other names."""
    name, role, kind = GUESTS[n % len(GUESTS)]
    guest = f"{name} {n % 5 + 1}" if n % 5 else name
    topic = TOPICS[n % len(TOPICS)]
    day = 1 + n % 28
    lines = [
        f'title = "Épisode {n} : {topic}"',
        f"published = {2020 + n // 120}-{1 + n // 10 % 12:02d}-{day:02d}T09:00:00+01:00",
        f"number = {n}",
        f"season = {1 + n // 52}",
        'description = """',
        f"Camille reçoit **{guest}**, {role.lower()}, pour parler de {topic}.",
        "",
        "On y parle de tarifs, de clients et de [liberté](https://freelance.family/liberte), "
        "de ce qu'on aurait aimé savoir en se lançant, et de ce qu'on referait autrement.",
        '"""',
        "",
        "[tracks]",
        '"Camille Durand" = "camille.m4a"',
        f'"{guest}" = "invite.m4a"',
        "",
        "[[guests]]",
        f'name = "{guest}"',
        f'role = "{role}"',
        f'kind = "{kind}"',
        f'bio = "{role} depuis {n % 12 + 1} ans, rencontré(e) à Lyon."',
    ]
    if n % 3 == 0:
        lines += ["", "[[chapters]]", 'start = "00:00"', 'title = "Bienvenue"', "", "[[chapters]]", 'start = "00:05"', f'title = "{guest} se présente"']
    if n % 4 == 0:
        lines += ["", "[[links]]", f'title = "Le site de {guest}"', f'url = "https://example.org/{n}"']
    return "\n".join(lines) + "\n"


class Replayed:
    """The real transcriber, run once per distinct audio file (by content); its transcript replayed after."""

    def __init__(self, load):
        self._load, self._model, self.heard = load, None, {}

    def __call__(self, settings, root, *args, **kwargs) -> "Replayed":
        if self._model is None:
            self._model = self._load(settings, root, *args, **kwargs)
        return self

    def transcribe(self, path, language, prompt="", progress=None):
        key = (file_sha256(path), language)
        if key not in self.heard:
            self.heard[key] = self._model.transcribe(path, language, prompt, progress)
        return self.heard[key]


def new_catalogue(root: Path) -> None:
    (root / "episodes").mkdir(parents=True)
    shutil.copyfile(REPO / "podcast.toml", root / "podcast.toml")
    shutil.copytree(REPO / "assets", root / "assets")
    for speaker, name in (("host", "camille.m4a"), ("guest", "invite.m4a")):
        ffmpeg.run(["-i", str(REPO / "tests" / "data" / f"duo-{speaker}.m4a"), "-t", str(CLIP_SECONDS), "-c", "copy", str(root / name)], about=root / name)


def grow(root: Path, episodes: int, transcriber: Replayed) -> None:
    """Add episodes up to `episodes` and build them in this process (not timed)."""
    from pipeline.build import build
    from pipeline.stages import transcribe

    for n in range(1, episodes + 1):
        folder = root / "episodes" / f"{n:03d}-episode"
        if folder.is_dir():
            continue
        folder.mkdir()
        for name in ("camille.m4a", "invite.m4a"):
            shutil.copyfile(root / name, folder / name)
        (folder / "episode.toml").write_text(episode_toml(n), encoding="utf-8")
    real = transcribe.load
    transcribe.load = transcriber
    try:
        started = time.perf_counter()
        report = build(root)
    finally:
        transcribe.load = real
    if not report.ok:
        raise SystemExit(f"the catalogue did not build: {report.failures[:3]} {report.findings[:3]}")
    print(f"  set up {episodes} episodes in {time.perf_counter() - started:.0f} s ({len(transcriber.heard)} distinct tracks transcribed)", file=sys.stderr)


def park(root: Path, size: int) -> None:
    """Keep the first `size` episodes in episodes/ and the others in episodes/_parked/, which builds
    skip (a folder starting with "_"): a kept catalogue is measured at a smaller size without
    setting it up again."""
    parked = root / "episodes" / "_parked"
    parked.mkdir(exist_ok=True)
    for folder in [*parked.iterdir(), *(root / "episodes").glob("[0-9]*")]:
        wanted = root / "episodes" / folder.name if int(folder.name[:3]) <= size else parked / folder.name
        if folder != wanted:
            folder.rename(wanted)


def make_cold(root: Path) -> None:
    """Forget everything after transcription: public/, the show's records, each episode's later stages."""
    shutil.rmtree(root / "public", ignore_errors=True)
    shutil.rmtree(root / ".build" / "show", ignore_errors=True)
    for cache in (root / ".build" / "episodes").iterdir():
        for file in cache.iterdir():
            if file.name not in KEPT and not (file.name.startswith("track") and file.suffix == ".flac"):
                file.unlink()


# Runs a command and prints its peak RSS. Linux counts in a child's peak the memory of the process
# that forked it (exec keeps the old peak), so the command is started from this small interpreter
# rather than from the bench, which holds the Whisper model.
LAUNCHER = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def timed(command: list[str], root: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of `command` run in `root`."""
    done = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, *command], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    seconds, cpu, peak = done.stderr.split()[-3:]
    return float(seconds), float(cpu), int(peak) / 1024  # kB on Linux


def stage_seconds(root: Path) -> dict[str, float]:
    """Seconds each stage took in the last build, from the records it wrote, summed over the episodes."""
    totals: dict[str, float] = {}
    for record in (root / ".build").glob("*/**/*.json"):
        if record.name.endswith(".failed.json") or record.name in ("hashes.json", "site-pages.json"):
            continue
        seconds = json.loads(record.read_text()).get("seconds")
        if isinstance(seconds, (int, float)):
            totals[record.stem] = totals.get(record.stem, 0.0) + seconds
    return totals


def measure(root: Path, runs: int) -> dict[str, list[tuple[float, float, float]]]:
    podcast = str(Path(sys.executable).with_name("podcast"))
    figures: dict[str, list[tuple[float, float, float]]] = {"cold": [], "no-op": [], "status": []}
    for _ in range(runs):
        make_cold(root)
        before = stage_seconds(root)
        figures["cold"].append(timed([podcast, "build"], root))
        after = stage_seconds(root)
        figures["no-op"].append(timed([podcast, "build"], root))
        figures["status"].append(timed([podcast, "status"], root))
    split = {stage: after[stage] - before.get(stage, 0.0) for stage in after if after[stage] != before.get(stage, 0.0)}
    print("  cold build, seconds by stage (last run): " + ", ".join(f"{s} {t:.2f}" for s, t in split.items()), file=sys.stderr)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=200, help="Episodes at the largest size.")
    parser.add_argument("--sizes", default="50,100,200", help="Sizes measured, comma-separated (capped at --episodes).")
    parser.add_argument("--runs", type=int, default=1, help="Runs of each command per size: best and median printed.")
    parser.add_argument("--keep", type=Path, help="Build the catalogue here and keep it (a second run reuses it).")
    args = parser.parse_args()
    sizes = sorted({min(int(s), args.episodes) for s in args.sizes.split(",")} | {args.episodes})

    with tempfile.TemporaryDirectory() as tmp:
        root = (args.keep or Path(tmp) / "show").resolve()
        if not (root / "podcast.toml").is_file():
            new_catalogue(root)
        from pipeline.stages import transcribe

        transcriber = Replayed(transcribe.load)
        rows = []
        for size in sizes:
            park(root, size)
            grow(root, size, transcriber)
            rows.append((size, measure(root, args.runs)))
        load = os.getloadavg()

    print(f"{'episodes':>8}  {'command':<7} {'best s':>7} {'median s':>8} {'target':>7} {'ratio':>6} {'CPU s':>6}  {'peak RSS MB':>11}")
    for size, figures in rows:
        for command, runs in figures.items():
            seconds = sorted(s for s, _, _ in runs)
            best, median = seconds[0], statistics.median(seconds)
            target = TARGETS[command]
            cpu = min(c for _, c, _ in runs)
            memory = max(m for _, _, m in runs)
            print(f"{size:>8}  {command:<7} {best:7.2f} {median:8.2f} {target:6.1f}s {best / target:6.2f} {cpu:6.2f}  {memory:11.0f}")
    print(
        f"ratio: best wall time / target (goal <= 1 at 200 episodes); CPU s: user + system, the least of the runs,"
        f" steadier than wall time on a shared machine; load average at the end {load[0]:.2f} {load[1]:.2f} on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
