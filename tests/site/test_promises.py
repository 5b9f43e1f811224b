"""The README's numbers and rules for the website, each checked at its edge with the README's own
value written here (issue 21): 20 episodes a page, the `-2`/`-3` of people's slugs, `#t=` rounded down."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from pipeline.build import build
from pipeline.engine import Store, run_stage
from pipeline.jobs import Paths, Resources, ShowJob
from pipeline.records import Episode, Person, Segment, Transcript, Word
from pipeline.results import Published
from pipeline.stages import transcribe
from pipeline.stages.site import Site
from pipeline.text.people import profiles
from tests.conftest import new_show, speechlike, without_whisper, write_wav

# Built once for the page tests (one real episode, 0.6 s), then copied into catalogues of any size.


@pytest.fixture(scope="module")
def one_built(tmp_path_factory):
    """A show with one episode built (no Whisper): its show, paths and published episode."""
    root = new_show(tmp_path_factory.mktemp("pages") / "show")
    folder = root / "episodes" / "001-a"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(3, -20, noise=0))
    (folder / "episode.toml").write_text('title = "Épisode 1"\npublished = 2026-01-05\n', encoding="utf-8")
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    [state] = report.episodes
    return root, Published(state.episode, state.results)


def site_of(root: Path, item: Published, count: int, **changes) -> Path:
    """The site stage over `count` copies of the one built episode, a week apart (oldest first),
    each with `changes` to its record: public/."""
    from pipeline.config import load_show

    first = item.episode.published
    episodes = [
        Published(replace(item.episode, slug=f"{n:03d}-e", title=f"Épisode {n}", published=first + timedelta(weeks=n - 1), **changes), item.results)
        for n in range(1, count + 1)
    ]
    paths = Paths(root)
    # Each catalogue starts from an empty public/: a build prunes what an earlier one left
    # (build.prune), and this runs the stage alone, so page/3/ of 41 episodes would stay for 21.
    shutil.rmtree(root / "public", ignore_errors=True)
    outcome = run_stage(Site(), ShowJob(load_show(root), episodes, paths, Resources()), Store(paths.build), "show", force=True)
    assert outcome.state == "ran", outcome.error
    return root / "public"


def titles(page: Path) -> list[str]:
    tree = lxml.html.parse(str(page)).getroot()
    return [" ".join(a.text_content().split()) for a in tree.xpath("//li[@class='episode-card']//h3/a | //li[@class='episode-card']//h2/a")]


def test_twenty_episodes_fit_on_the_home_page(one_built):
    """README, "The website": the home page lists the latest 20 episodes; 20 make no page/2/."""
    root, item = one_built
    public = site_of(root, item, 20)
    assert titles(public / "index.html") == [f"Épisode {n}" for n in range(20, 0, -1)]
    assert not (public / "page" / "2").exists()
    home = lxml.html.parse(str(public / "index.html")).getroot()
    assert home.xpath("//nav[@class='pagination']//a[@rel='next']") == []


def test_the_twenty_first_episode_goes_to_page_2(one_built):
    """README, "The website": older ones on page/2/, 20 a page (What a build writes)."""
    root, item = one_built
    public = site_of(root, item, 21)
    assert titles(public / "index.html") == [f"Épisode {n}" for n in range(21, 1, -1)]  # the latest 20
    assert titles(public / "page" / "2" / "index.html") == ["Épisode 1"]
    assert not (public / "page" / "3").exists()
    second = lxml.html.parse(str(public / "page" / "2" / "index.html")).getroot()
    assert second.xpath("//ol[@class='episodes']/@start") == ["1"]


def test_forty_one_episodes_make_three_pages(one_built):
    """README, "The website": `page/2/`, `page/3/`…, 20 a page: 41 = 20 + 20 + 1."""
    root, item = one_built
    public = site_of(root, item, 41)
    assert len(titles(public / "page" / "2" / "index.html")) == 20
    assert titles(public / "page" / "3" / "index.html") == ["Épisode 1"]
    assert not (public / "page" / "4").exists()


def test_the_constant_is_the_readme_s_twenty():
    """tests/site/test_site.py::test_later_home_pages sets EPISODES_PER_PAGE to 2: the value itself is checked here."""
    from pipeline.stages import site

    assert site.EPISODES_PER_PAGE == 20  # README, "The website": "the latest 20 episodes"


# People's slugs: README, "The website": "two people whose names make the same slug get -2, -3…
# in the order they first came on the show, so a newcomer never takes a published address."


def _episode(slug: str, day: int, *guests: str) -> Episode:
    return Episode(slug, Path("/nowhere"), slug, datetime(2026, 1, day, tzinfo=timezone.utc), (), guests=tuple(Person(g) for g in guests))


def test_same_slug_names_get_2_and_3_in_the_order_they_came(one_built):
    from pipeline.config import load_show

    show = load_show(one_built[0])
    # Listed newest first, and not in alphabetical order: only the order of coming on the show decides.
    episodes = [_episode("003-c", 20, "Inès-Moreau"), _episode("002-b", 12, "Ines Moreau"), _episode("001-a", 5, "Inès Moreau")]
    slugs = {p.person.name: p.slug for p in profiles(show, episodes)}
    assert slugs == {"Camille Durand": "camille-durand", "Inès Moreau": "ines-moreau", "Ines Moreau": "ines-moreau-2", "Inès-Moreau": "ines-moreau-3"}


def test_a_newcomer_never_takes_a_published_address(one_built):
    from pipeline.config import load_show

    show = load_show(one_built[0])
    before = [_episode("001-a", 5, "Ines Moreau"), _episode("002-b", 12, "Inès Moreau")]
    assert {p.person.name: p.slug for p in profiles(show, before)}["Inès Moreau"] == "ines-moreau-2"
    after = [*before, _episode("003-c", 20, "INES moreau!"), _episode("004-d", 26, "Ines Moreau")]  # a newcomer, and the first one back
    slugs = {p.person.name: p.slug for p in profiles(show, after)}
    assert slugs["Ines Moreau"] == "ines-moreau" and slugs["Inès Moreau"] == "ines-moreau-2" and slugs["INES moreau!"] == "ines-moreau-3"


def test_a_guest_named_like_a_host_comes_after_the_host(one_built):
    """Hosts are on the show from its start: a guest whose name makes a host's slug gets -2."""
    from pipeline.config import load_show

    show = load_show(one_built[0])  # host: Camille Durand
    slugs = {p.person.name: p.slug for p in profiles(show, [_episode("001-a", 5, "Camille Durand!")])}
    assert slugs == {"Camille Durand": "camille-durand", "Camille Durand!": "camille-durand-2"}


# `#t=` on an episode's page: README, "The website": "every sentence a link to the second it is
# said (`episodes/<slug>/#t=754`)"; "Searching the site": "rounded down, so the player starts
# before its first word".

SAID = [(0.0, "Bonjour et bienvenue."), (12.9, "Une phrase à douze secondes neuf."), (14.0, "Une autre pile à quatorze.")]


class HearsAtTwelveNine:
    def transcribe(self, path, language, prompt="", progress=None):
        segments = []
        for start, sentence in SAID:
            words = tuple(Word(start + i * 0.2, start + i * 0.2 + 0.15, (" " if i else "") + w) for i, w in enumerate(sentence.split()))
            segments.append(Segment(start, words[-1].end, sentence, words))
        return Transcript("fr", 16.0, tuple(segments))


def test_a_sentence_at_12_9_s_links_to_second_12(tmp_path, monkeypatch):
    root = new_show(tmp_path / "show")
    folder = root / "episodes" / "001-a"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(16, -20, noise=0))
    (folder / "episode.toml").write_text(
        'title = "A"\npublished = 2026-01-05\n\n[[chapters]]\nstart = "00:00"\ntitle = "Début"\n\n[[chapters]]\nstart = "00:12.9"\ntitle = "Suite"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(transcribe, "load", lambda *args, **kwargs: HearsAtTwelveNine())
    report = build(root)
    assert report.ok, report.failures
    page = lxml.html.parse(str(root / "public" / "episodes" / "001-a" / "index.html")).getroot()
    links = {a.text_content(): a.get("href") for a in page.xpath("//a[@class='sentence']")}
    assert links == {"Bonjour et bienvenue.": "#t=0", "Une phrase à douze secondes neuf.": "#t=12", "Une autre pile à quatorze.": "#t=14"}
    chapters = [a.get("href") for a in page.xpath("//a[@class='seek'][contains(., 'Début') or contains(., 'Suite')]")]
    assert chapters == ["#t=0", "#t=12"]  # a chapter at 00:12.9 too


def test_a_portrait_is_shown_only_when_published_under_base_url(one_built, tmp_path):
    """README, "The website": a person's `img` "is shown only when it is published with the site
    (under `base_url`), else linked, so that no page loads anything from elsewhere"."""
    root, item = one_built
    guests = (
        Person("Inès Moreau", img="http://localhost:8000/people/ines.jpg"),  # under base_url (the default)
        Person("Zoé Martin", img="https://photos.example.org/zoe.jpg"),
        Person("Paul Martin", img="http://localhost:8000.example.org/paul.jpg"),  # base_url's host as a prefix only
    )
    public = site_of(root, item, 1, guests=guests)
    for slug, shown, linked in (
        ("ines-moreau", ["http://localhost:8000/people/ines.jpg"], []),
        ("zoe-martin", [], ["https://photos.example.org/zoe.jpg"]),
        ("paul-martin", [], ["http://localhost:8000.example.org/paul.jpg"]),
    ):
        page = lxml.html.parse(str(public / "people" / slug / "index.html")).getroot()
        assert page.xpath("//img[@class='portrait']/@src") == shown, slug
        assert [href for href in page.xpath("//main//a/@href") if "jpg" in href] == linked, slug
    anywhere = [img for page in public.rglob("index.html") for img in lxml.html.parse(str(page)).getroot().xpath("//img/@src")]
    assert not [src for src in anywhere if "example.org" in src]
