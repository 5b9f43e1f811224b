"""The search index's size per hour of transcript, and the time to build it.

No hour of real French transcript is at hand, so one is made: sentences of 6 to 24 words drawn
(Zipf-like, the most common words most often, as in speech) from a vocabulary of the real French
texts of `../shared/eval/fr-read` and the bundled trailer's script, widened with Babel's French
names of languages, countries and scripts (about 2,000 distinct words, what an hour's interview
uses), spoken at 150 words a minute (9,000 words, 600 sentences an hour) by two speakers. Then
the search stage's own code builds the records and pagefind writes the bundle.

Printed per length: records, seconds to index (records built and pagefind run), the bundle's
index files (index chunks, fragments, metadata: what grows with the transcripts) and its fixed
files (pagefind's scripts, styles and WebAssembly, the same for any show).

    .venv/bin/python bench/search.py            # 1 and 5 hours
    .venv/bin/python bench/search.py --hours 1 2 10
"""

from __future__ import annotations

import argparse
import json
import random
import re
import runpy
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
READ = REPO.parent / "shared" / "eval" / "fr-read"
sys.path.insert(0, str(REPO))

from pipeline.site import search_index  # noqa: E402
from pipeline.config import load_show  # noqa: E402
from pipeline.jobs import PACKAGE_TEMPLATES  # noqa: E402
from pipeline.records import Episode, Person, Segment, Transcript, Word  # noqa: E402
from pipeline.site.render import Templates, environment  # noqa: E402
from pipeline.results import Corrected, Published, Results  # noqa: E402
from pipeline.site.search_records import index_language, search_records  # noqa: E402
from tests.conftest import new_show  # noqa: E402

WORDS_PER_MINUTE = 150
EPISODE_MINUTES = 60  # an hour-long interview per episode
SPEAKERS = ("Camille Durand", "Inès Moreau")


def vocabulary() -> list[str]:
    from babel import Locale

    texts = [p.read_text(encoding="utf-8") for p in sorted(READ.glob("*.txt"))]
    texts += [text for _, text in runpy.run_path(str(REPO / "scripts" / "make_trailer.py"))["LINES"]]
    french = Locale("fr")
    texts += [*french.languages.values(), *french.territories.values(), *french.scripts.values()]
    words = re.findall(r"\w+(?:['’]\w+)*", " ".join(texts).lower())
    common = dict.fromkeys(w for w in words if len(w) < 4)  # short words first: the frequent ones
    return list(dict.fromkeys([*common, *words]))


def transcript(minutes: float, words: list[str], rng: random.Random) -> Transcript:
    weights = [1 / (rank + 1) for rank in range(len(words))]
    seconds_per_word = 60 / WORDS_PER_MINUTE
    segments, at, turn = [], 0.0, 0
    while at < minutes * 60:
        said = rng.choices(words, weights, k=rng.randint(6, 24))
        said[0] = said[0].capitalize()
        speaker = SPEAKERS[turn % 2]
        timed = tuple(Word(at + i * seconds_per_word, at + (i + 0.8) * seconds_per_word, (" " if i else "") + w, speaker=speaker) for i, w in enumerate(said))
        text = " ".join(said) + "."
        segments.append(Segment(at, timed[-1].end, text, (*timed[:-1], Word(timed[-1].start, timed[-1].end, timed[-1].text + ".", speaker=speaker)), speaker))
        at = timed[-1].end + 0.5
        turn += rng.random() < 0.3  # a turn of a few sentences
    return Transcript("fr", at, tuple(segments))


def measure(hours: float, folder: Path) -> dict[str, float]:
    rng = random.Random(1)
    words = vocabulary()
    show = load_show(new_show(folder / "show"))
    episodes = []
    for n in range(max(1, round(hours * 60 / EPISODE_MINUTES))):
        file = folder / f"{n:03d}.json"
        file.write_text(json.dumps(transcript(hours * 60 / max(1, round(hours * 60 / EPISODE_MINUTES)), words, rng).to_dict()), encoding="utf-8")
        results = Results()
        results.add(Corrected(file))
        episode = Episode(
            slug=f"{n:03d}-episode",
            folder=folder,
            title=f"Épisode {n}",
            published=datetime(2026, 1, 1, tzinfo=timezone.utc),
            audio=(),
            description="Une conversation sur le freelancing.",
            guests=(Person(SPEAKERS[1]),),
        )
        episodes.append(Published(episode, results))
    plain = environment(Templates((PACKAGE_TEMPLATES,)), "fr").filters["plain"]
    started = time.monotonic()
    records = search_records(show, episodes, plain)
    bundle = folder / "pagefind"
    search_index.write(records, bundle, index_language(show))
    seconds = time.monotonic() - started
    grows = [p for p in bundle.rglob("*") if p.is_file() and (p.parent.name in ("index", "fragment") or p.suffix == ".pf_meta" or p.name == search_index.ENTRY)]
    fixed = [p for p in bundle.rglob("*") if p.is_file() and p not in grows]
    return {
        "hours": hours,
        "records": len(records),
        "words": sum(len(r.content.split()) for r in records),
        "seconds": seconds,
        "index_bytes": sum(p.stat().st_size for p in grows),
        "files": len(grows),
        "fixed_bytes": sum(p.stat().st_size for p in fixed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[1, 5])
    args = parser.parse_args()
    print(f"vocabulary: {len(vocabulary())} words; pagefind {search_index.version()}")
    for hours in args.hours:
        with tempfile.TemporaryDirectory() as folder:
            m = measure(hours, Path(folder))
        print(
            f"{m['hours']:g} h: {m['records']} records, {m['words']} words, indexed in {m['seconds']:.1f} s; "
            f"index {m['index_bytes'] / 1e6:.2f} MB in {m['files']} files ({m['index_bytes'] / 1e6 / m['hours']:.2f} MB/h), "
            f"fixed files {m['fixed_bytes'] / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
