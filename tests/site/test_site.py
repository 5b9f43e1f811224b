"""The website as a browser parses it: what a host typed shows as text, never runs as markup."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.etree
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
    assert [card.xpath("string(.//h3)") for card in tree.find_class("episode-card")] == [EPISODE_TITLE]  # under "latest episodes" (h2)


@pytest.mark.parametrize("page", ["index.html", "episodes/001-tjm/index.html", "people/index.html", "people/camille-durand/index.html"])
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
    assert local  # the style sheet, the feed, the home page at least
    if page.startswith("episodes/"):
        kinds = {posixpath.basename(link) for link in local}
        assert {"transcript.txt", "transcript.vtt", "transcript.srt", "transcript.json", "transcript.html", "notes.md"} <= kinds


def test_a_show_with_one_template_of_its_own(tmp_path):
    """A show's templates/ holding one template and one label: the rest is the shipped set."""
    root = new_show(tmp_path / "show")
    (root / "templates" / "labels").mkdir(parents=True)
    (root / "templates" / "episode_card.html").write_text("<li class='mon-episode'>{{ episode.title }}</li>\n", encoding="utf-8")
    (root / "templates" / "labels" / "fr.toml").write_text('all_episodes = "Tous nos épisodes"\n', encoding="utf-8")
    folder = root / "episodes" / "001-a"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(4, -20, noise=0))
    (folder / "episode.toml").write_text('title = "Premier"\npublished = 2026-01-05\n', encoding="utf-8")
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    home = lxml.html.parse(str(root / "public" / "index.html")).getroot()
    assert home.xpath("string(//li[@class='mon-episode'])") == "Premier"  # the show's episode_card.html
    page = lxml.html.parse(str(root / "public" / "episodes" / "001-a" / "index.html")).getroot()
    assert page.xpath("//section[@id='transcript']")  # the shipped episode.html around it
    assert "← Tous nos épisodes" in page.text_content()  # the show's label, the shipped ones for the rest


HOSTILE_DESCRIPTION = 'Un **vrai** épisode. <img src=x onerror=alert(1)> <script>alert("notes")</script> [lien](javascript:alert(2))'
HOSTILE_GUEST = '<script>alert("invité")</script> Zoé'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A show whose episode.toml holds markup where Markdown or a name belongs."""
    root = new_show(tmp_path_factory.mktemp("hostile") / "show")
    folder = root / "episodes" / "001-piege"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(4, -20, noise=0))
    (folder / "episode.toml").write_text(
        f"title = 'Piège'\npublished = 2026-01-05\ndescription = '''{HOSTILE_DESCRIPTION}'''\n"
        f"[[guests]]\nname = '{HOSTILE_GUEST}'\nkind = 'startup'\nrole = 'Fondatrice'\n",
        encoding="utf-8",
    )
    with without_whisper():
        report = build(root)
    assert report.ok, report.failures
    return root


def _live_markup(tree) -> list[str]:
    """What would run in a browser: <img>, scripts with code, on* attributes, javascript: links."""
    found = [f"<img src={img.get('src')}>" for img in tree.iter("img") if img.get("src") == "x"]
    found += [s.text for s in tree.iter("script") if s.text and "alert" in s.text]
    found += [f"{el.tag} {name}" for el in tree.iter() if isinstance(el.tag, str) for name in el.attrib if name.startswith("on")]
    found += [href for href in tree.xpath("//a/@href") if href.strip().lower().startswith("javascript:")]
    return found


@pytest.mark.parametrize("page", ["index.html", "episodes/001-piege/index.html", "people/index.html"])
def test_hostile_markup_is_published_as_no_live_markup(hostile, page):
    tree = lxml.html.parse(str(hostile / "public" / page)).getroot()
    assert _live_markup(tree) == []
    if page.startswith("episodes"):
        assert tree.xpath("//section[@class='description']//strong/text()") == ["vrai"]  # Markdown still works


def test_hostile_markup_is_neither_in_the_notes_nor_the_feed(hostile):
    notes = lxml.html.fragment_fromstring((hostile / ".build" / "episodes" / "001-piege" / "notes.html").read_text(), create_parent="div")
    assert _live_markup(notes) == []
    feed = lxml.etree.parse(str(hostile / "public" / "feed.xml"))
    namespaces = {"content": "http://purl.org/rss/1.0/modules/content/"}
    for html in [*feed.xpath("//item/content:encoded/text()", namespaces=namespaces), *feed.xpath("//item/description/text()")]:
        assert _live_markup(lxml.html.fragment_fromstring(html, create_parent="div")) == []
        assert "onerror" not in html and "<script" not in html


def test_a_hostile_guest_name_is_text_on_every_page(hostile):
    public = hostile / "public"
    person = next((public / "people").glob("*/index.html"))
    for page in (public / "episodes" / "001-piege" / "index.html", person, public / "people" / "index.html"):
        tree = lxml.html.parse(str(page)).getroot()
        assert HOSTILE_GUEST in tree.text_content(), page
        assert _live_markup(tree) == []
    assert lxml.html.parse(str(person)).getroot().xpath("string(//h1)") == HOSTILE_GUEST


def test_people_pages_and_their_index(hostile):
    public = hostile / "public"
    index = lxml.html.parse(str(public / "people" / "index.html")).getroot()
    assert index.xpath("//section[@id='kind-startup']//a/text()") == [HOSTILE_GUEST]
    assert [a.get("href") for a in index.xpath("//nav[@class='kinds']//a")] == ["#kind-startup", "#kind-autre"]
    host = lxml.html.parse(str(public / "people" / "camille-durand" / "index.html")).getroot()
    assert host.xpath("string(//h1)") == "Camille Durand"
    assert host.xpath("//li[@class='episode-card']//a/@href")[0] == "../../episodes/001-piege/"


def test_every_label_is_a_label(hostile):
    """A label named like a dict method (t.copy, t.items) renders as that method's repr, not the text."""
    for page in (hostile / "public").rglob("*.html"):
        assert "built-in method" not in page.read_text(encoding="utf-8"), page


def test_sitemap_robots_and_404(hostile):
    public = hostile / "public"
    sitemap = lxml.etree.parse(str(public / "sitemap.xml"))
    urls = sitemap.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    assert "http://localhost:8000/episodes/001-piege/" in urls and "http://localhost:8000/people/camille-durand/" in urls
    assert "Sitemap: http://localhost:8000/sitemap.xml" in (public / "robots.txt").read_text()
    missing = lxml.html.parse(str(public / "404.html")).getroot()
    assert all(href.startswith("http://localhost:8000/") for href in missing.xpath("//a/@href|//link/@href") if "://" in href or not href.startswith("#"))


def test_social_tags_and_feed_discovery(hostile):
    page = lxml.html.parse(str(hostile / "public" / "episodes" / "001-piege" / "index.html")).getroot()
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.iter("meta")}
    assert meta["og:url"] == "http://localhost:8000/episodes/001-piege/"
    assert meta["og:image"] == meta["twitter:image"] == "http://localhost:8000/artwork.png"
    assert meta["og:title"] == "Piège · Test Show"
    assert page.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href") == ["http://localhost:8000/feed.xml"]


def _three_episodes(root):
    for n, guest in enumerate(["Inès Moreau", "Zoé Martin", "Inès Moreau"], start=1):
        folder = root / "episodes" / f"00{n}-episode"
        folder.mkdir()
        write_wav(folder / "enregistrement.wav", speechlike(3, -20, noise=0, seed=n))
        (folder / "episode.toml").write_text(
            f"title = 'Épisode {n}'\npublished = 2026-01-0{n}\nnumber = {n}\n[[guests]]\nname = '{guest}'\nkind = 'coworking'\n", encoding="utf-8"
        )


def _three_built_counting_pages(tmp_path, monkeypatch) -> tuple[Path, list[str]]:
    """A show of three episodes, built; and the list the slugs of the episode pages rendered
    from then on go to (the first build's are not kept)."""
    from pipeline.stages import site

    rendered: list[str] = []
    render_page = site._episode_page
    monkeypatch.setattr(site, "_episode_page", lambda job, env, item, people: rendered.append(item.episode.slug) or render_page(job, env, item, people))
    root = new_show(tmp_path / "show")
    _three_episodes(root)
    with without_whisper():
        assert build(root).ok
    rendered.clear()
    return root, rendered


def test_editing_one_episode_rewrites_its_page_and_not_the_others(tmp_path, monkeypatch):
    """Only the edited episode's page is rendered again, and a page whose bytes did not change keeps its file."""
    root, rendered = _three_built_counting_pages(tmp_path, monkeypatch)
    public = root / "public"
    # The search index is written whole at each change (stages/search.py), fragments renamed by content.
    files = sorted(p for p in public.rglob("*") if p.is_file() and p.relative_to(public).parts[0] != "pagefind")
    before = {p: p.stat().st_mtime_ns for p in files}
    entry = (public / "pagefind" / "pagefind-entry.json").read_bytes()
    toml = root / "episodes" / "002-episode" / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Épisode 2", "Épisode deux"), encoding="utf-8")
    with without_whisper():
        report = build(root)
    assert report.ok and report.show["site"] == "ran"
    assert rendered == ["002-episode"]  # the other two pages were copied from the last run
    rewritten = {str(p.relative_to(public)) for p in files if p.stat().st_mtime_ns != before[p]}
    # Its page and notes, the home page, the pages of its guest and of the host (who is in every
    # episode), the feed, and its MP3 (re-tagged with the new title): not the other episodes' pages.
    assert rewritten == {
        "episodes/002-episode/index.html",
        "episodes/002-episode/notes.md",
        "index.html",
        "people/zoe-martin/index.html",
        "people/camille-durand/index.html",
        "feed.xml",
        "audio/002-episode.mp3",
    }
    assert "Épisode deux" in (public / "episodes" / "002-episode" / "index.html").read_text(encoding="utf-8")
    assert report.show["search"] == "ran" and (public / "pagefind" / "pagefind-entry.json").read_bytes() != entry


def test_later_home_pages(tmp_path, monkeypatch):
    from pipeline.stages import site

    monkeypatch.setattr(site, "EPISODES_PER_PAGE", 2)
    root = new_show(tmp_path / "show")
    _three_episodes(root)
    with without_whisper():
        assert build(root).ok
    public = root / "public"
    home = lxml.html.parse(str(public / "index.html")).getroot()
    assert [a.text for a in home.xpath("//li[@class='episode-card']//h3/a")] == ["Épisode 3", "Épisode 2"]
    assert home.xpath("//nav[@class='pagination']//a[@rel='next']/@href") == ["page/2/index.html"]
    second = lxml.html.parse(str(public / "page" / "2" / "index.html")).getroot()
    assert [a.text for a in second.xpath("//li[@class='episode-card']//h2/a")] == ["Épisode 1"]
    assert second.xpath("//nav[@class='pagination']//a[@rel='prev']/@href") == ["../../index.html"]
    assert second.xpath("//ol[@class='episodes']/@start") == ["1"]
    people = lxml.html.parse(str(public / "people" / "ines-moreau" / "index.html")).getroot()
    assert [a.text for a in people.xpath("//li[@class='episode-card']//h3/a")] == ["Épisode 3", "Épisode 1"]  # merged by name


def test_every_link_works_under_a_sub_path(tmp_path):
    """base_url with a path: relative links stay inside it, absolute ones (404, OG, sitemap) carry it."""
    import posixpath

    root = new_show(tmp_path / "show", SHOW_TOML.replace('title = "Test Show"', 'title = "Test Show"\nbase_url = "https://example.org/emission/"'))
    _three_episodes(root)
    with without_whisper():
        report = build(root)
    assert not report.failures
    public = root / "public"
    pages = sorted(public.rglob("index.html"))
    assert len(pages) >= 7
    for path in pages:
        page = str(path.relative_to(public))
        tree = lxml.html.parse(str(path)).getroot()
        for link in [*tree.xpath("//a/@href"), *tree.xpath("//link/@href"), *tree.xpath("//audio/@src"), *tree.xpath("//script/@src")]:
            if link.startswith("#"):
                continue
            if "://" in link:
                assert not link.startswith("https://example.org/") or link.startswith("https://example.org/emission/"), link
                continue
            path_part = link.split("#")[0]
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path_part))
            assert not target.startswith(".."), f"{page}: {link}"
            assert (public / target / "index.html" if path_part.endswith("/") else public / target).is_file(), f"{page}: {link}"
    missing = lxml.html.parse(str(public / "404.html")).getroot()
    assert missing.xpath("//link[@rel='stylesheet']/@href") == ["https://example.org/emission/style.css", "https://example.org/emission/search/search.css"]
    assert "Sitemap: https://example.org/emission/sitemap.xml" in (public / "robots.txt").read_text()


def test_a_new_label_renders_every_episode_page_again(tmp_path, monkeypatch):
    """The copies of last run's pages are keyed on the templates and labels too."""
    root = new_show(tmp_path / "show")
    _three_episodes(root)
    with without_whisper():
        assert build(root).ok
    (root / "templates" / "labels").mkdir(parents=True)
    (root / "templates" / "labels" / "fr.toml").write_text('transcript = "Ce qui se dit"\n', encoding="utf-8")
    with without_whisper():
        assert build(root).ok
    for n in (1, 2, 3):
        page = lxml.html.parse(str(root / "public" / "episodes" / f"00{n}-episode" / "index.html")).getroot()
        assert page.xpath("string(//h2[@id='transcript-title'])") == "Ce qui se dit"


def test_the_mp3_s_description_is_plain_text(hostile):
    """Apps show COMM and TDES verbatim: the tags get text, never the markup (audio/tags.markdown_text)."""
    from mutagen.id3 import ID3

    tags = ID3(hostile / "public" / "audio" / "001-piege.mp3")
    for text in (str(tags.getall("COMM")[0]), str(tags["TDES"])):
        assert text.startswith("Un vrai épisode.") and "<" not in text and "onerror" not in text


def test_a_page_edited_by_hand_is_rendered_again(tmp_path):
    """Last run's pages are copied only while they are what that run wrote."""
    root = new_show(tmp_path / "show")
    _three_episodes(root)
    with without_whisper():
        assert build(root).ok
    page = root / "public" / "episodes" / "001-episode" / "index.html"
    original = page.read_text(encoding="utf-8")
    page.write_text("<p>modifiée à la main</p>", encoding="utf-8")
    with without_whisper():
        assert build(root).ok
    assert page.read_text(encoding="utf-8") == original


def test_a_slug_taken_by_an_older_episode_added_later_renders_the_other_pages_again(show_root, add_episode, no_whisper):
    """Slugs go to people in order of first appearance: an episode published earlier, added to the
    catalogue later, gives its guest "Zoe Martin" zoe-martin, and the unchanged page of "Zoé Martin"'s
    episode must now link zoe-martin-2 (its page key holds the people's slugs). Each page links a
    guest twice: in the episode's header and in its list of people."""
    add_episode("002-later", "title = 'Plus tard'\npublished = 2026-01-05\n[[guests]]\nname = 'Zoé Martin'\n", seconds=3, seed=2)
    assert build(show_root).ok
    page = show_root / "public" / "episodes" / "002-later" / "index.html"
    assert lxml.html.parse(str(page)).getroot().xpath("//a[.='Zoé Martin']/@href") == ["../../people/zoe-martin/"] * 2
    add_episode("001-earlier", "title = 'Plus tôt'\npublished = 2026-01-02\n[[guests]]\nname = 'Zoe Martin'\n", seconds=3, seed=1)
    assert build(show_root).ok
    assert lxml.html.parse(str(page)).getroot().xpath("//a[.='Zoé Martin']/@href") == ["../../people/zoe-martin-2/"] * 2
    first = show_root / "public" / "episodes" / "001-earlier" / "index.html"
    assert lxml.html.parse(str(first)).getroot().xpath("//a[.='Zoe Martin']/@href") == ["../../people/zoe-martin/"] * 2


def test_notes_templates_read_every_variable_the_readme_lists(show_root, add_episode, no_whisper):
    """README, "Templates": notes.html and notes.md are given `show`, `episode`, `duration`,
    `chapters`, `chapters_automatic`, `quotes`, `transcript_words`, `reading_minutes`, `page_url`."""
    (show_root / "templates").mkdir()
    (show_root / "templates" / "notes.md").write_text(
        "{{ show.title }}|{{ episode.title }}|{{ duration | round | int }}|{{ chapters[1].start }} {{ chapters[1].title }}|{{ chapters_automatic }}"
        "|{{ quotes | length }}|{{ transcript_words }}|{{ reading_minutes }}|{{ page_url }}\n",
        encoding="utf-8",
    )
    chapters = '[[chapters]]\nstart = "00:00"\ntitle = "Intro"\n[[chapters]]\nstart = "00:02"\ntitle = "Suite"\n'
    add_episode("001-a", 'title = "Premier"\npublished = 2026-01-05\n' + chapters)
    report = build(show_root)
    assert report.ok, report.failures
    notes = (show_root / "public" / "episodes" / "001-a" / "notes.md").read_text(encoding="utf-8")
    assert notes == "Test Show|Premier|4|2.0 Suite|False|0|0|0|http://localhost:8000/episodes/001-a/\n"


def test_the_episode_page_template_reads_every_variable_the_readme_lists(show_root, add_episode, no_whisper):
    """README, "Templates": episode.html is given `show`, `episode`, `notes`, `transcript`, `turns`,
    `duration`, `chapters`, `chapters_automatic`, `quotes`, `soundbite`, and every page `image_url`
    (the episode's own image when it has one)."""
    (show_root / "templates").mkdir()
    (show_root / "templates" / "episode.html").write_text(
        "{{ show.title }}|{{ episode.title }}|{{ 'notes' if '<' in notes else 'none' }}|{{ transcript.language }}|{{ turns | length }}"
        "|{{ duration | round | int }}|{{ chapters | length }}|{{ chapters_automatic }}|{{ quotes | length }}|{{ soundbite }}|{{ image_url }}\n",
        encoding="utf-8",
    )
    folder = add_episode("001-a", 'title = "Premier"\npublished = 2026-01-05\nimage = "couverture.png"\n[[chapters]]\nstart = "00:00"\ntitle = "Intro"\n')
    shutil.copyfile(show_root / "artwork.png", folder / "couverture.png")
    report = build(show_root)
    assert report.ok, report.failures
    page = (show_root / "public" / "episodes" / "001-a" / "index.html").read_text(encoding="utf-8")
    assert page == "Test Show|Premier|notes|fr|0|4|1|False|0|None|http://localhost:8000/episodes/001-a/image.png\n"  # README: public/episodes/<slug>/image.png


def test_a_new_version_of_the_site_stage_renders_every_episode_page_again(tmp_path, monkeypatch):
    """What the stage's code makes of a page can change with the tool: pages made by the last
    version are not reused."""
    from pipeline.stages import site

    root, rendered = _three_built_counting_pages(tmp_path, monkeypatch)
    monkeypatch.setattr(site.Site, "version", site.Site.version + 1)
    with without_whisper():
        assert build(root).ok
    assert sorted(rendered) == ["001-episode", "002-episode", "003-episode"]


@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("index.html", "http://localhost:8000/"),
        ("episodes/001-tjm/index.html", "http://localhost:8000/episodes/001-tjm/"),
        ("people/index.html", "http://localhost:8000/people/"),
        ("people/camille-durand/index.html", "http://localhost:8000/people/camille-durand/"),
    ],
)
def test_each_page_names_its_own_address_for_search_engines_and_cards(public, page, url):
    tree = lxml.html.parse(str(public / page)).getroot()
    assert tree.xpath("string(//link[@rel='canonical']/@href)") == url
    assert tree.xpath("string(//meta[@property='og:url']/@content)") == url
