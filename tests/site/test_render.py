"""The jinja2 environment shared by the notes and the site: labels by language, filters."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from pipeline.errors import ConfigError
from pipeline.jobs import PACKAGE_TEMPLATES
from pipeline.site.render import Templates, environment, label_file


def test_every_language_has_every_label():
    """A label missing in one language fails its show's build (the templates are strict)."""
    import tomllib

    files = sorted((PACKAGE_TEMPLATES / "labels").glob("*.toml"))
    report = [p for p in files if p.name.startswith("report-")]  # the report's (pipeline/host/report.py)
    for kind in ([p for p in files if p not in report], report):
        labels = {p.stem: set(tomllib.loads(p.read_text(encoding="utf-8"))) for p in kind}
        assert len(labels) >= 2 and len({frozenset(keys) for keys in labels.values()}) == 1, labels


def test_labels_by_language_then_its_base_then_french(tmp_path):
    labels = tmp_path / "labels"
    labels.mkdir()
    for name in ("fr", "en", "en-GB"):
        (labels / f"{name}.toml").write_text(f'episodes = "{name}"\n', encoding="utf-8")
    assert label_file(tmp_path, "en-GB").name == "en-GB.toml"
    assert label_file(tmp_path, "en-US").name == "en.toml"
    assert label_file(tmp_path, "de").name == "fr.toml"
    (labels / "fr.toml").unlink()
    assert label_file(tmp_path, "de") is None
    with pytest.raises(ConfigError, match=r"labels: no labels for language 'de' \(nor for 'fr'\)"):
        Templates((tmp_path,)).labels("de")


def test_filters():
    env = environment(Templates((PACKAGE_TEMPLATES,)), "fr")

    def render(source: str, **context) -> str:
        return env.from_string(source).render(**context)

    assert render("{{ d | long_date }}", d=date(2026, 3, 2)) == "2 mars 2026"
    assert render("{{ d | iso }}", d=datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)) == "2026-03-02T08:30:00+00:00"
    assert render("{{ d | iso }}", d=date(2026, 3, 2)) == "2026-03-02"
    assert render("{{ t | markdown }}", t="Du **gras** & co") == "<p>Du <strong>gras</strong> &amp; co</p>\n"
    assert render("{{ t | markdown }}", t=None) == ""
    assert render("{{ t | plain }}", t="Du **gras** & [un lien](https://example.org)") == "Du gras &amp; un lien"
    assert render("{{ 3723 | clock }} {{ language }}") == "1:02:03 fr"
    assert render("{{ t.episodes }}") == "Épisodes"
    assert environment(Templates((PACKAGE_TEMPLATES,)), "en").from_string("{{ d | long_date }}").render(d=date(2026, 3, 2)) == "March 2, 2026"


def test_every_template_file_is_fingerprinted(tmp_path):
    (tmp_path / "labels").mkdir()
    (tmp_path / "__pycache__").mkdir()  # bytecode comes and goes: it must not change a fingerprint
    for name in (
        "base.html",
        "style.css",
        "labels/fr.toml",
        "__init__.py",
        "__pycache__/__init__.cpython-311.pyc",
        "report.html",
        "labels/report-fr.toml",
    ):  # the report's: nothing published reads them
        (tmp_path / name).write_text("x", encoding="utf-8")
    files = Templates((tmp_path,)).files()
    assert files == {name: tmp_path / name for name in ("base.html", "labels/fr.toml", "style.css")}


def test_a_show_overrides_one_template_and_some_labels(tmp_path):
    """The show's file wins where it has one; every other file and label is the shipped one."""
    own = tmp_path / "templates"
    (own / "labels").mkdir(parents=True)
    (own / "notes.html").write_text("<p>{{ t.chapters }} · {{ t.quotes }}</p>", encoding="utf-8")
    (own / "labels" / "fr.toml").write_text('chapters = "Sommaire"\n', encoding="utf-8")
    templates = Templates((own, PACKAGE_TEMPLATES))
    assert templates.path("notes.html") == own / "notes.html"
    assert templates.path("episode.html") == PACKAGE_TEMPLATES / "episode.html"
    files = templates.files()
    assert files["notes.html"] == own / "notes.html" and files["labels/fr.toml"] == own / "labels" / "fr.toml"
    assert files["episode.html"] == PACKAGE_TEMPLATES / "episode.html"
    assert templates.label_files("fr") == [PACKAGE_TEMPLATES / "labels" / "fr.toml", own / "labels" / "fr.toml"]
    env = environment(templates, "fr")
    assert env.get_template("notes.html").render() == "<p>Sommaire · Citations</p>"  # the shipped French label for quotes
    assert env.get_template("episode.html").filename == str(PACKAGE_TEMPLATES / "episode.html")


def test_markdown_gets_typographic_quotes_dashes_and_ellipses():
    """As audio/tags.py's plain descriptions do, so a podcast app and the page read alike."""
    env = environment(Templates((PACKAGE_TEMPLATES,)), "fr")
    rendered = env.from_string("{{ t | markdown }}").render(t='Il a dit "bonjour" -- voilà...')
    assert rendered == "<p>Il a dit “bonjour” – voilà…</p>\n"


def test_block_tags_leave_no_blank_lines_or_stray_indentation():
    env = environment(Templates((PACKAGE_TEMPLATES,)), "fr")
    template = "<ul>\n  {% for i in items %}\n  <li>{{ i }}</li>\n  {% endfor %}\n</ul>\n"
    assert env.from_string(template).render(items=[1, 2]) == "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n"


def test_regional_language_dates():
    env = environment(Templates((PACKAGE_TEMPLATES,)), "fr-CA")
    assert env.from_string("{{ d | long_date }}").render(d=date(2026, 3, 2)) == "2 mars 2026"


def test_a_template_is_compiled_once_per_process_and_again_when_edited(tmp_path, monkeypatch):
    """render.CompiledTemplates: each episode's environment reuses what an earlier one compiled
    (12 s of a 200-episode catalogue's cold build), and an edited template is compiled afresh."""
    import jinja2

    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    templates = Templates((tmp_path, PACKAGE_TEMPLATES))
    (tmp_path / "once.html").write_text("{{ 1 + 1 }}", encoding="utf-8")
    for _ in range(2):
        assert environment(templates, "fr").get_template("once.html").render() == "2"
    assert compiled.count("once.html") == 1
    (tmp_path / "once.html").write_text("{{ 2 + 2 }}", encoding="utf-8")
    assert environment(templates, "fr").get_template("once.html").render() == "4"
    assert compiled.count("once.html") == 2


def test_sanitise_keeps_the_safe_tags_and_links_and_drops_the_rest():
    """What a host's description may hold on a page and in the feed (render.SAFE_TAGS, its attributes and schemes)."""
    from pipeline.site.render import sanitise

    html = (
        '<p>Un <strong>vrai</strong> <em>épisode</em> <span class="x">ici</span>.</p>'
        '<a href="https://example.org" title="site" class="c">lien</a> <a href="javascript:alert(1)">piège</a> '
        '<a href="mailto:camille@example.org">écrire</a> <a href="ftp://example.org/f" hreflang="fr">ftp</a> <a href="tel:+33100">appeler</a> '
        '<img src="x" onerror="alert(2)"><script>alert(3)</script>'
        '<ol start="3" reversed><li>trois</li></ol><h2>titre</h2><h3>sous-titre</h3>'
    )
    assert sanitise(html) == (
        "<p>Un <strong>vrai</strong> <em>épisode</em> ici.</p>"
        '<a href="https://example.org" title="site" rel="noopener noreferrer">lien</a> <a rel="noopener noreferrer">piège</a> '
        '<a href="mailto:camille@example.org" rel="noopener noreferrer">écrire</a> '
        '<a rel="noopener noreferrer">ftp</a> <a rel="noopener noreferrer">appeler</a> '
        '<ol start="3"><li>trois</li></ol>titre<h3>sous-titre</h3>'
    )


def test_a_template_no_folder_holds_is_named_with_the_folders(tmp_path):
    with pytest.raises(ConfigError) as caught:
        Templates((tmp_path / "a", tmp_path / "b")).path("absent.html")
    assert str(caught.value) == f"no template absent.html in {tmp_path / 'a'} or {tmp_path / 'b'}"
