"""The chapters and quotes stages, and the four places their one chapter list goes: the notes
(HTML and Markdown), chapters.json, the MP3's CHAP/CTOC frames and the episode page."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import jsonschema
import lxml.html
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from pipeline.audio import ffmpeg
from pipeline.build import build
from pipeline.config import load_show
from pipeline.engine import Store, run_stage
from pipeline.jobs import EpisodeJob, Paths, Resources
from pipeline.layout import PublicLayout
from pipeline.records import Chapter, Episode, QuotePicks, Segment, Transcript
from pipeline.results import Corrected, LevelReport, Levelled, Noted
from pipeline.stages.chapters import Chapters
from pipeline.stages.notes import Notes, notes_context
from pipeline.stages.quotes import Quotes
from pipeline.stages.tag import Tag
from pipeline.text import topics
from pipeline.text.writers import get_writer
from tests.planted import GUEST, planted

# Podcasting 2.0 JSON chapters, version 1.2, written from the spec page:
# github.com/Podcastindex-org/podcast-namespace/blob/main/docs/examples/chapters/jsonChapters.md
# "version" and "chapters" are required; a chapter requires only "startTime" (a float, seconds);
# "title", "img", "url" are strings, "toc" a boolean, "endTime" a float, "location" an object
# with "name" and "geo" required. Chapters are "in ascending order based on the startTime".
JSON_CHAPTERS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "chapters"],
    "properties": {
        "version": {"type": "string", "pattern": r"^1\.2(\.\d+)?$"},
        "chapters": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["startTime"],
                "properties": {
                    "startTime": {"type": "number", "minimum": 0},
                    "title": {"type": "string"},
                    "img": {"type": "string", "format": "uri"},
                    "url": {"type": "string", "format": "uri"},
                    "toc": {"type": "boolean"},
                    "endTime": {"type": "number", "minimum": 0},
                    "location": {
                        "type": "object",
                        "required": ["name", "geo"],
                        "properties": {"name": {"type": "string"}, "geo": {"type": "string", "pattern": "^geo:"}, "osm": {"type": "string"}},
                    },
                },
            },
        },
        "author": {"type": "string"},
        "title": {"type": "string"},
        "podcastName": {"type": "string"},
        "description": {"type": "string"},
        "fileName": {"type": "string"},
        "waypoints": {"type": "boolean"},
    },
}


def valid_chapters_json(path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, JSON_CHAPTERS_SCHEMA, format_checker=jsonschema.FormatChecker())
    starts = [c["startTime"] for c in data["chapters"]]
    assert starts == sorted(starts)  # the spec's ascending order, which JSON Schema cannot say
    return data


def test_the_schema_refuses_what_the_spec_refuses():
    for bad in ({"chapters": []}, {"version": "1.2.0", "chapters": [{"title": "Sans début"}]}, {"version": "1.2.0", "chapters": [{"startTime": "0:00"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, JSON_CHAPTERS_SCHEMA)


@pytest.fixture
def job(show_root, tmp_path):
    """An episode whose corrected transcript is the planted interview, 302 s of it, and whose
    levelled audio is as long (silence: only its duration matters to these stages)."""
    folder = show_root / "episodes" / "001-portage"
    folder.mkdir()
    episode = Episode("001-portage", folder, "Portage, coworking et tarifs", datetime(2026, 1, 5, tzinfo=timezone.utc), ())
    job = EpisodeJob(load_show(show_root), episode, Paths(show_root), Resources())
    transcript, _ = planted()
    corrected = job.cache / "transcript.corrected.json"
    corrected.parent.mkdir(parents=True)
    corrected.write_text(get_writer("json").write(transcript), encoding="utf-8")
    audio = tmp_path / "levelled.mp3"
    ffmpeg.run(["-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", f"{transcript.duration}", "-b:a", "64k", str(audio)], about=audio)
    job.results.add(
        Levelled(
            audio, audio, None, (), (), transcript.duration, "64k", -16.0, -1.0, 5.0, False, LevelReport(-16.0, 1, -20.0, -3.0, 4.0, None, 1, None, (0.0, 0.0))
        )
    )
    job.results.add(Corrected(corrected))
    return job


def run(stage, job):
    outcome = run_stage(stage, job, Store(job.paths.build), "episodes/" + job.episode.slug)
    assert outcome.state == "ran", outcome.error
    job.results.add(outcome.record.result)
    return outcome.record.result


def test_automatic_chapters_in_chapters_json(job):
    chaptered = run(Chapters(), job)
    assert chaptered.automatic and len(chaptered.chapters) == 3 and chaptered.chapters[0].start == 0
    data = valid_chapters_json(chaptered.file)
    assert data["version"] == "1.2.0"
    assert [(c["startTime"], c["title"]) for c in data["chapters"]] == [
        (0.0, "Portage salarial"),
        (100.3, "Coworking, vraie communauté"),
        (201.1, "Tarif journalier"),
    ]


def test_explicit_chapters_win(job):
    given = (Chapter(0.0, "Bonjour"), Chapter(42.5, "Le portage", "https://example.org/portage"))
    job.episode = Episode(**{**job.episode.__dict__, "chapters": given})
    chaptered = run(Chapters(), job)
    assert chaptered.chapters == given and not chaptered.automatic
    assert valid_chapters_json(chaptered.file)["chapters"] == [
        {"startTime": 0.0, "title": "Bonjour"},
        {"startTime": 42.5, "title": "Le portage", "url": "https://example.org/portage"},
    ]


def test_chap_frames_follow_the_chapter_list(job, tmp_path):
    run(Chapters(), job)
    assert not job.episode.chapters  # only the chapters stage has any
    tagged = run(Tag(), job)
    tags = ID3(tagged.mp3)
    frames = sorted(tags.getall("CHAP"), key=lambda f: f.start_time)
    assert [(f.start_time, str(f.sub_frames["TIT2"])) for f in frames] == [
        (0, "Portage salarial"),
        (100300, "Coworking, vraie communauté"),
        (201100, "Tarif journalier"),
    ]
    assert [f.end_time for f in frames] == [100300, 201100, round(MP3(tagged.mp3).info.length * 1000)]  # in ms, each to the next start
    assert tags.getall("CTOC")[0].child_element_ids == [f.element_id for f in frames]


def test_quotes_stage(job):
    run(Chapters(), job)
    quoted = run(Quotes(), job)
    assert 2 <= len(quoted.quotes) <= 4
    assert [q.start for q in quoted.quotes] == sorted(q.start for q in quoted.quotes)  # in the order said
    transcript, _ = planted()
    for quote in quoted.quotes:
        segment = next(s for s in transcript.segments if s.text == quote.text)
        assert (quote.start, quote.end, quote.speaker) == (round(segment.start, 2), round(segment.end, 2), GUEST)
    bite = quoted.soundbite
    assert bite.text in {q.text for q in quoted.quotes}
    assert 15 <= bite.end - bite.start <= 120 and 0 <= bite.start and bite.end <= transcript.duration


def test_a_pin_the_transcript_lacks_fails_naming_file_and_key(job):
    run(Chapters(), job)
    job.episode = Episode(**{**job.episode.__dict__, "quotes": QuotePicks(pin=("la semaine de quatre jours",))})
    outcome = run_stage(Quotes(), job, Store(job.paths.build), "episodes/001-portage")
    assert outcome.state == "failed"
    assert outcome.error.startswith(f"{job.episode.folder / 'episode.toml'}: 'quotes.pin': 'la semaine de quatre jours'")


# The quotes of the planted interview, in the order said: Inès's sentences holding its key
# phrases, at 0:12.6, 0:25.2, 2:18.6 and 3:34.2.
QUOTED = (
    "Le portage salarial permet à un freelance de facturer ses clients sans créer d'entreprise.",
    "La société de portage salarial encaisse les factures et verse un salaire au consultant.",
    "Les hôtes de coworking organisent des petits-déjeuners pour que les membres se rencontrent.",
    "Fixer son tarif journalier est la décision la plus difficile pour un nouveau freelance.",
)
QUOTED_BY = ["Inès Moreau, 0:12", "Inès Moreau, 0:25", "Inès Moreau, 2:18", "Inès Moreau, 3:34"]


def test_notes_show_chapters_and_quotes_in_html_and_markdown(job):
    chaptered = run(Chapters(), job)
    run(Quotes(), job)
    noted = run(Notes(), job)
    assert (noted.notes.name, noted.markdown.name) == ("notes.html", "notes.md")  # README: .build/'s files
    markdown = noted.markdown.read_text(encoding="utf-8")
    # YouTube turns "00:00 Title" lines into chapters: the first at 00:00, one per line.
    lines = [line.rstrip() for line in markdown.splitlines() if line[:2].isdigit()]
    assert all(line.endswith("  ") for line in markdown.splitlines() if line[:2].isdigit())  # a Markdown line break
    assert lines == ["00:00 Portage salarial", "01:40 Coworking, vraie communauté", "03:21 Tarif journalier"]
    assert "00:00 Portage salarial  \n01:40 Coworking, vraie communauté  \n03:21 Tarif journalier  \n" in markdown  # a block
    assert [c.start for c in chaptered.chapters] == [0.0, 100.3, 201.1]
    for text, (minutes, seconds) in zip(QUOTED, ((0, 12), (0, 25), (2, 18), (3, 34))):
        assert f"> « {text} »\n> — Inès Moreau, {minutes:02d}:{seconds:02d}\n" in markdown
    assert markdown.startswith("# Portage, coworking et tarifs\n")
    html = lxml.html.fromstring(noted.notes.read_text(encoding="utf-8"))
    assert [li.text_content() for li in html.xpath("//ul[@class='chapters']/li")] == [
        "0:00 Portage salarial",
        "1:40 Coworking, vraie communauté",
        "3:21 Tarif journalier",
    ]
    assert html.xpath("//p[@class='note']")  # says the chapters are automatic
    quotes = html.xpath("//blockquote[@class='quote']")
    assert [q.findtext("p") for q in quotes] == [f"« {text} »" for text in QUOTED]
    assert [q.find("footer").text_content() for q in quotes] == QUOTED_BY


def test_build_publishes_the_chapters_everywhere(show_root, add_episode, no_whisper):
    add_episode(
        "001-portage",
        """\
        title = "Portage"
        published = 2026-01-05

        [[chapters]]
        start = "0:00"
        title = "Bonjour"

        [[chapters]]
        start = "0:02"
        title = "Le portage"
        url = "https://example.org/portage"
        """,
    )
    add_episode("002-silence", 'title = "Silence"\npublished = 2026-01-06\n')
    report = build(show_root)
    assert report.ok, report.failures
    layout = PublicLayout(load_show(show_root))
    data = valid_chapters_json(layout.file(layout.chapters("001-portage")))
    assert [c["title"] for c in data["chapters"]] == ["Bonjour", "Le portage"]
    assert valid_chapters_json(layout.file(layout.chapters("002-silence")))["chapters"] == []  # nothing heard
    tags = ID3(layout.file(layout.audio("001-portage")))
    assert sorted(str(f.sub_frames["TIT2"]) for f in tags.getall("CHAP")) == ["Bonjour", "Le portage"]
    assert not ID3(layout.file(layout.audio("002-silence"))).getall("CHAP")
    markdown = layout.file(layout.notes_markdown("001-portage")).read_text(encoding="utf-8")
    assert "00:00 Bonjour  \n" in markdown and "00:02 Le portage (https://example.org/portage)  \n" in markdown
    page = lxml.html.fromstring(layout.file(layout.page("001-portage")).read_text(encoding="utf-8"))
    assert [li.text_content() for li in page.xpath("//ol[@class='chapters']/li")] == ["0:00 Bonjour", "0:02 Le portage · lien"]
    assert page.xpath("//a[@href='chapters.json']") and page.xpath("//a[@href='notes.md']")
    silent = lxml.html.fromstring(layout.file(layout.page("002-silence")).read_text(encoding="utf-8"))
    assert not silent.xpath("//ul[@class='chapters']") and not silent.xpath("//a[@href='chapters.json']")


def test_episode_page_shows_automatic_chapters_and_quotes(job):
    from pipeline.jobs import ShowJob
    from pipeline.results import Published
    from pipeline.stages.site import Site

    run(Chapters(), job)
    run(Quotes(), job)
    run(Notes(), job)
    run(Tag(), job)
    show_job = ShowJob(job.show, [Published(job.episode, job.results)], job.paths, job.resources)
    outcome = run_stage(Site(), show_job, Store(job.paths.build), "show")
    assert outcome.state == "ran", outcome.error
    layout = job.layout
    page = lxml.html.fromstring(layout.file(layout.page("001-portage")).read_text(encoding="utf-8"))
    assert [li.text_content() for li in page.xpath("//ol[@class='chapters']/li")] == [
        "0:00 Portage salarial",
        "1:40 Coworking, vraie communauté",
        "3:21 Tarif journalier",
    ]
    assert [float(a.get("data-start")) for a in page.xpath("//ol[@class='chapters']/li/a[@class='seek']")] == [0.0, 100.3, 201.1]
    footers = [q.find("figcaption").text_content() for q in page.xpath("//figure[@class='quote']")]
    assert footers == QUOTED_BY
    published = valid_chapters_json(layout.file(layout.chapters("001-portage")))
    assert [c["title"] for c in published["chapters"]] == ["Portage salarial", "Coworking, vraie communauté", "Tarif journalier"]
    assert layout.file(layout.notes_markdown("001-portage")).read_text(encoding="utf-8") == job.results[Noted].markdown.read_text(encoding="utf-8")


def test_a_veto_reruns_the_quotes_not_the_tags(show_root, add_episode, no_whisper):
    from tests.test_build import run

    folder = add_episode("001-portage", 'title = "Portage"\npublished = 2026-01-05\n')
    assert run(show_root)[1].ok
    with (folder / "episode.toml").open("a", encoding="utf-8") as f:
        f.write('[quotes]\nveto = ["mon ancien client"]\n')
    ran, report = run(show_root)
    assert report.ok and ran.stages("001-portage") == {"quotes"}  # the same quotes: nothing after it


@pytest.mark.parametrize(("words", "minutes"), [(0, 0), (1, 1), (460, 2), (690, 3), (1150, 5)])
def test_the_notes_say_the_reading_time_at_230_words_a_minute_and_one_at_least(job, tmp_path, words, minutes):
    run(Chapters(), job)
    run(Quotes(), job)
    said = Transcript("fr", 302.0, (Segment(0.0, 300.0, " ".join(["mot"] * words), ()),) if words else ())
    path = tmp_path / "transcript.corrected.json"
    path.write_text(get_writer("json").write(said), encoding="utf-8")
    job.results.add(Corrected(path))
    context = notes_context(job)
    assert (context["transcript_words"], context["reading_minutes"]) == (words, minutes)
    assert context["page_url"] == "http://localhost:8000/episodes/001-portage/"


def test_the_soundbite_starts_at_the_pinned_quote_not_the_best_scored(job):
    # README: "The best (or the first pinned) makes the soundbite".
    pinned = dataclasses.replace(job, episode=dataclasses.replace(job.episode, quotes=QuotePicks(pin=("les hôtes de coworking organisent",))))
    run(Chapters(), pinned)
    quoted = run(Quotes(), pinned)
    assert QUOTED[2] in [q.text for q in quoted.quotes]  # listed in the order said
    assert (quoted.soundbite.start, quoted.soundbite.text) == (138.6, QUOTED[2])


def test_an_episode_in_english_is_cut_with_english_words(job, monkeypatch):
    # The topics' stop words follow the episode's language (a French show may have one in English).
    cut_in: list[str] = []
    real = topics.chapters

    def chapters(transcript, duration, language="fr"):
        cut_in.append(language)
        return real(transcript, duration, language)

    monkeypatch.setattr(topics, "chapters", chapters)
    english = dataclasses.replace(job, episode=dataclasses.replace(job.episode, language="en-GB"))
    chaptered = run(Chapters(), english)
    assert cut_in == ["en"]
    assert chaptered.file.name == "chapters.p20.json"  # README: .build/'s files
