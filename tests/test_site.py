"""The website as a browser parses it: what a host typed shows as text, never runs as markup."""

from __future__ import annotations

import lxml.html
import pytest

from pipeline.build import build
from tests.conftest import SHOW_TOML, new_show, speechlike, without_whisper, write_wav

SHOW_TITLE = "Cafés & <Compagnie>"
# A title a host could type, or paste from a guest's message: a page that lets it through as
# markup runs the guest's script in every reader's browser.
EPISODE_TITLE = 'Le TJM & les <b>freelances</b> <script>alert("titre")</script>'


@pytest.fixture
def public(tmp_path):
    """Built for each test (0.6 s), so that mutation testing sees which tests read the pages."""
    root = new_show(tmp_path / "show", SHOW_TOML.replace('title = "Test Show"', f'title = "{SHOW_TITLE}"'))
    folder = root / "episodes" / "001-tjm"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(4, -20, noise=0))
    (folder / "episode.toml").write_text(f"title = '{EPISODE_TITLE}'\npublished = 2026-01-05\n", encoding="utf-8")
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    return root / "public"


@pytest.mark.parametrize("page", ["index.html", "episodes/001-tjm/index.html"])
def test_no_title_reaches_the_page_as_markup(public, page):
    html = (public / page).read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b>freelances" not in html  # anywhere, <title> and attributes too
    tree = lxml.html.fromstring(html)
    assert not tree.xpath("//b") and all("alert" not in (s.text or "") for s in tree.iter("script"))
    assert tree.findtext(".//title").startswith((EPISODE_TITLE, SHOW_TITLE))
    assert tree.xpath("string(//p[@class='show-title'])") == SHOW_TITLE


def test_episode_page_shows_the_title_as_typed(public):
    tree = lxml.html.parse(str(public / "episodes" / "001-tjm" / "index.html")).getroot()
    assert tree.xpath("string(//h1)") == EPISODE_TITLE
    assert tree.findtext(".//title") == f"{EPISODE_TITLE} · {SHOW_TITLE}"
    assert tree.xpath("string(//meta[@name='description']/@content)") == EPISODE_TITLE  # no description: the title


def test_index_lists_the_title_as_typed(public):
    tree = lxml.html.parse(str(public / "index.html")).getroot()
    assert [card.xpath("string(.//h2)") for card in tree.find_class("episode-card")] == [EPISODE_TITLE]


@pytest.mark.parametrize("page", ["index.html", "episodes/001-tjm/index.html"])
def test_every_link_of_a_page_is_a_published_file(public, page):
    """Relative links (audio, transcripts in every format, notes.md, feed, style) lead to files in public/."""
    import posixpath

    tree = lxml.html.parse(str(public / page)).getroot()
    links = [*tree.xpath("//a/@href"), *tree.xpath("//link/@href"), *tree.xpath("//audio/@src")]
    local = [link for link in links if "://" not in link and not link.startswith("#")]
    for link in local:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), link.split("#")[0]))
        path = public / target
        assert (path / "index.html" if link.endswith("/") else path).is_file(), f"{page}: {link}"
    if page != "index.html":
        kinds = {posixpath.basename(link) for link in local}
        assert {"transcript.txt", "transcript.vtt", "transcript.srt", "transcript.json", "transcript.html", "notes.md"} <= kinds


def test_a_show_with_one_template_of_its_own(tmp_path):
    """A show's templates/ holding one template and one label: the rest is the shipped set."""
    root = new_show(tmp_path / "show")
    (root / "templates" / "labels").mkdir(parents=True)
    (root / "templates" / "notes.html").write_text("<p class='mes-notes'>{{ episode.title }}</p>\n", encoding="utf-8")
    (root / "templates" / "labels" / "fr.toml").write_text('all_episodes = "Tous nos épisodes"\n', encoding="utf-8")
    folder = root / "episodes" / "001-a"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(4, -20, noise=0))
    (folder / "episode.toml").write_text('title = "Premier"\npublished = 2026-01-05\n', encoding="utf-8")
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    page = lxml.html.parse(str(root / "public" / "episodes" / "001-a" / "index.html")).getroot()
    assert page.xpath("string(//p[@class='mes-notes'])") == "Premier"  # the show's notes.html
    assert page.xpath("//section[@id='transcript']")  # the shipped episode.html around it
    assert "← Tous nos épisodes" in page.text_content()  # the show's label, the shipped ones for the rest
