"""The search page and its index: what is indexed, where results lead, and the stage's freshness."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import pytest

from pipeline.build import build
from pipeline.jobs import PACKAGE_TEMPLATES
from pipeline.records import Episode, Person, Segment, Transcript, Word
from pipeline.site.render import Templates, environment
from pipeline.results import Corrected, Published, Results
from pipeline.site.search_records import search_records
from tests.conftest import new_show, serving, speechlike, write_wav

# The only episode where "freelance" is said, at 20.7 s (its sentence's first word), by Inès.
SAID = {
    "001-portage": [
        (0.0, "Camille Durand", "Bonjour et bienvenue dans l'émission."),
        (20.7, "Inès Moreau", "Je suis freelance depuis dix ans à Lyon."),
        (30.0, "Camille Durand", "Merci et à bientôt."),
    ],
    "002-coworking": [
        (0.0, "Camille Durand", "Bonjour à toutes et à tous."),
        (12.0, "Paul Martin", 'Le coworking rassemble des <b>indépendants</b> <img src=x onerror="document.title=2">.'),
        (25.0, "Camille Durand", "On en reparle la semaine prochaine."),
    ],
}
HOSTILE = '<img src=x onerror="document.title=1">Zoé'


def transcript(said: list[tuple[float, str, str]], duration: float = 40.0) -> Transcript:
    """Each sentence as a segment of words 0.4 s apart, named after its speaker."""
    segments = []
    for start, speaker, sentence in said:
        words = tuple(Word(start + i * 0.4, start + i * 0.4 + 0.35, (" " if i else "") + w, speaker=speaker) for i, w in enumerate(sentence.split()))
        segments.append(Segment(start, words[-1].end, sentence, words, speaker))
    return Transcript("fr", duration, tuple(segments))


class HearsEachEpisode:
    """A transcriber that 'hears' the sentences scripted for the episode (its cache folder's name)."""

    def transcribe(self, path, language, prompt="", progress=None):
        return transcript(SAID.get(path.parent.name, SAID["002-coworking"]))


# Record building, without the pagefind binary.


def plain(text: str) -> str:
    return environment(Templates((PACKAGE_TEMPLATES,)), "fr").filters["plain"](text)


def published(tmp_path: Path, slug: str, title: str, guests: tuple[Person, ...] = ()) -> Published:
    file = tmp_path / f"{slug}.json"
    file.write_text(json.dumps(transcript(SAID[slug]).to_dict()), encoding="utf-8")
    episode = Episode(
        slug=slug,
        folder=tmp_path,
        title=title,
        published=datetime(2026, 1, 5, tzinfo=timezone.utc),
        audio=(),
        description="Avec **Inès**, freelance à Lyon.",
        guests=guests,
    )
    results = Results()
    results.add(Corrected(file))
    return Published(episode, results)


@pytest.fixture
def show(tmp_path):
    from pipeline.config import load_show

    return load_show(new_show(tmp_path / "show"))


def test_a_record_per_sentence_leads_to_its_second(show, tmp_path):
    item = published(tmp_path, "001-portage", "Le portage salarial")
    records = [r for r in search_records(show, [item], plain) if r.meta["kind"] == "sentence"]
    assert [r.content for r in records] == [s for _, _, s in SAID["001-portage"]]
    said = records[1]
    # 20.7 s rounded down: the player starts before the first word, never after it.
    assert said.url == "episodes/001-portage/#t=20"
    assert said.meta == {"kind": "sentence", "title": "Le portage salarial", "speaker": "Inès Moreau", "time": "00:20", "start": "20"}


def test_notes_and_people_are_records_too(show, tmp_path):
    guests = (Person("Inès Moreau", role="Développeuse freelance", bio="Indépendante à Lyon."), Person("Camille Durand"))
    items = [published(tmp_path, "001-portage", "Le portage salarial", guests), published(tmp_path, "002-coworking", "Le coworking", (Person("Inès Moreau"),))]
    records = search_records(show, items, plain)
    notes = [r for r in records if r.meta["kind"] == "notes"]
    assert [(r.url, r.content) for r in notes] == [
        ("episodes/001-portage/", "Le portage salarial Avec Inès, freelance à Lyon."),  # Markdown as plain text
        ("episodes/002-coworking/", "Le coworking Avec Inès, freelance à Lyon."),
    ]
    # Each person once, host or guest, on the page named by python-slugify's slug of the name.
    people = {r.url: r for r in records if r.meta["kind"] == "person"}
    assert sorted(people) == ["people/camille-durand/", "people/ines-moreau/"]
    ines = people["people/ines-moreau/"]
    assert ines.content == "Inès Moreau Développeuse freelance Indépendante à Lyon."
    assert ines.meta == {"kind": "person", "title": "Inès Moreau", "role": "Développeuse freelance"}


# The stage in a build, with the pagefind binary.


def two_episodes(root: Path) -> Path:
    for n, slug in enumerate(SAID, start=1):
        folder = root / "episodes" / slug
        folder.mkdir(parents=True)
        write_wav(folder / "enregistrement.wav", speechlike(40, -20, noise=0))
        guests = f"[[guests]]\nname = '{HOSTILE}'\n" if n == 2 else ""
        (folder / "episode.toml").write_text(f'title = "Épisode {n} : {slug[4:]}"\npublished = 2026-01-0{n}\n{guests}', encoding="utf-8")
    return root


def build_scripted(root: Path, progress=None):
    from pipeline.stages import transcribe

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transcribe, "load", lambda *args, **kwargs: HearsEachEpisode())
        report = build(root, progress=progress)
    assert report.ok, (report.failures, report.findings)
    return report


@pytest.fixture(scope="module")
def scripted_show(tmp_path_factory) -> Path:
    root = two_episodes(new_show(tmp_path_factory.mktemp("search") / "show"))
    build_scripted(root)
    return root


def fragments(public: Path) -> set[str]:
    return {p.name for p in (public / "pagefind" / "fragment").iterdir()}


def test_the_search_page_and_its_index_are_published(scripted_show):
    import lxml.html

    public = scripted_show / "public"
    assert (public / "search" / "index.html").is_file() and (public / "pagefind" / "pagefind.js").is_file()
    entry = json.loads((public / "pagefind" / "pagefind-entry.json").read_text())
    # 6 sentences, 2 notes, 2 people (the host and the guest of episode 2), all in the French index.
    assert list(entry["languages"]) == ["fr"] and entry["languages"]["fr"]["page_count"] == 10
    assert len(fragments(public)) == 10
    assert not [p for p in public.iterdir() if p.name.startswith(".")]  # no staging folder left
    assert not (public / "pagefind" / "pagefind-ui.js").exists()  # pagefind's own interface: not used, not published
    page = lxml.html.parse(str(public / "search" / "index.html")).getroot()
    assert "JavaScript" in page.xpath("string(//noscript)")  # without it, the page says why nothing happens
    # The search box on every page: a GET form to the search page.
    for page in ("index.html", "episodes/001-portage/index.html", "search/index.html"):
        [box] = lxml.html.parse(str(public / page)).getroot().find_class("search-box")
        assert box.get("method") == "get" and box.xpath("string(.//input/@name)") == "q"


def test_a_second_build_does_not_index_again_and_an_edit_does(tmp_path):
    root = two_episodes(new_show(tmp_path / "show"))
    build_scripted(root)
    public = root / "public"
    before = fragments(public)
    ran = []
    build_scripted(root, progress=lambda scope, stage, state, outcome: state == "ran" and ran.append(stage))
    assert ran == []
    toml = root / "episodes" / "001-portage" / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Épisode 1", "Le tout premier"), encoding="utf-8")
    build_scripted(root, progress=lambda scope, stage, state, outcome: state == "ran" and ran.append(stage))
    assert "search" in ran
    after = fragments(public)
    # The episode's records changed (their title), the other's did not: their fragments, named
    # by content hashes, stay; the old ones are gone, not left beside the new.
    assert len(after) == 10 and after != before and len(after & before) > 0
    new = [gzip.decompress((public / "pagefind" / "fragment" / name).read_bytes()).decode() for name in after - before]
    assert new and all("Le tout premier" in fragment for fragment in new)


def speaker_at(root: Path, second: float) -> str:
    """Who says the word at `second` in episode 001's published transcript (one track: diarization names them)."""
    said = Transcript.load(root / ".build" / "episodes" / "001-portage" / "transcript.corrected.json")
    return next(w.speaker for s in said.segments for w in s.words if w.start == pytest.approx(second))


@pytest.fixture(scope="module")
def served(scripted_show):
    with serving(scripted_show / "public") as url:
        yield url


def results(browser, base: str, query: str | None) -> tuple[str, list]:
    """Open the search page on `query` (None: the page already open); the status line and the
    result elements once it has answered."""
    from selenium.webdriver.support.ui import WebDriverWait

    if query is not None:
        browser.get(f"{base}search/?q={quote(query)}")
    status = browser.find_element("id", "search-status")
    WebDriverWait(browser, 15).until(lambda _: status.text and "…" not in status.text)
    return status.text, browser.find_elements("css selector", "#search-results .search-result")


@pytest.mark.browser
def test_search_in_chromium_leads_to_the_second(scripted_show, served, browser):
    for query in ("freelance", "freelances"):  # French stemming: the plural finds the singular
        status, found = results(browser, served, query)
        sentences = [r for r in found if "search-sentence" in r.get_attribute("class")]
        assert len(sentences) == 1, (query, status)
        link = sentences[0].find_element("css selector", "a")
        assert link.get_attribute("href") == f"{served}episodes/001-portage/#t=20"
        assert link.text == "Épisode 1 : portage"
        assert f"{speaker_at(scripted_show, 20.7)}, à 00:20" in sentences[0].text  # as diarization named them
        assert sentences[0].find_element("css selector", "mark").text.lower().startswith("freelance")
    status, found = results(browser, served, "coworking")
    [said] = [r for r in found if r.find_element("css selector", "a").get_attribute("href") == f"{served}episodes/002-coworking/#t=12"]
    # Markup said in a transcript (or typed in a correction) is shown as the text it is.
    assert "<b>indépendants</b> <img src=x" in said.text
    assert browser.find_elements("css selector", "#search-results img, #search-results b") == []
    assert browser.title.startswith("Recherche")
    status, found = results(browser, served, "zygomatique")
    assert found == [] and status == "Aucun résultat pour « zygomatique »."
    assert browser.find_element("id", "search-query").get_attribute("value") == "zygomatique"


@pytest.mark.browser
def test_a_hostile_guest_name_is_shown_as_text(served, browser):
    status, found = results(browser, served, "Zoé")
    [person] = [r for r in found if "search-person" in r.get_attribute("class")]
    assert person.find_element("css selector", "a").text == HOSTILE
    assert browser.find_elements("css selector", "#search-results img") == []
    assert browser.title.startswith("Recherche")  # the onerror did not run


@pytest.mark.browser
def test_the_search_box_of_a_page_lands_on_the_search_page(served, browser):
    browser.get(f"{served}episodes/001-portage/")
    box = browser.find_element("id", "search-box-query")
    box.send_keys("freelances")
    box.submit()
    status, found = results(browser, served, None)
    assert browser.current_url.startswith(f"{served}search/?q=freelances") and found


def test_what_pagefind_refuses_fails_the_stage_with_its_answer(tmp_path):
    from pipeline.site import search_index
    from pipeline.errors import StageError
    from pipeline.site.search_index import SearchRecord

    with pytest.raises(StageError, match="expected a string"):  # and does not hang waiting for an answer
        search_index.write([SearchRecord("episodes/x/", "Bonjour.", {"start": 3})], tmp_path / "pagefind", "fr")


def test_an_index_pagefind_left_with_an_empty_file_is_written_again(tmp_path, monkeypatch):
    """pagefind 1.5 now and then leaves a file it said it wrote empty (seen on a loaded machine)."""
    from pipeline.site import search_index
    from pipeline.errors import StageError
    from pipeline.site.search_index import ENTRY, SearchRecord

    real, runs = search_index._write, []

    async def flaky(records, folder, language, empties=1):
        await real(records, folder, language)
        runs.append(folder)
        if len(runs) <= empties:
            (folder / ENTRY).write_bytes(b"")

    records = [SearchRecord("episodes/x/", "Bonjour.", {"kind": "sentence"})]
    monkeypatch.setattr(search_index, "_write", flaky)
    search_index.write(records, tmp_path / "pagefind", "fr")
    assert len(runs) == 2 and (tmp_path / "pagefind" / ENTRY).stat().st_size > 0
    monkeypatch.setattr(search_index, "_write", lambda *args: flaky(*args, empties=99))
    with pytest.raises(StageError, match=f"pagefind left {ENTRY} empty 3 times"):
        search_index.write(records, tmp_path / "again", "fr")


@pytest.mark.browser
def test_results_lead_to_the_second_under_a_sub_path_too(scripted_show, browser, tmp_path):
    """Served at /sub/ (a base_url with a path): pagefind.js prefixes results with the folder it is served under."""
    (tmp_path / "sub").symlink_to(scripted_show / "public")
    with serving(tmp_path) as url:
        base = url + "sub/"
        status, found = results(browser, base, "freelances")
        links = [r.find_element("css selector", "a").get_attribute("href") for r in found]
        assert f"{base}episodes/001-portage/#t=20" in links
