"""The site in headless Chromium: seeking from the transcript, chapters and #t= links, the
keyboard alone, a phone's width, and axe-core's accessibility rules (WCAG 2.1 A/AA, best practice).

Two shows: a small one made here with a scripted transcript (no Whisper model), whose guest's
name is hostile markup, and the bundled show built with its recorded transcript (tests/golden.py).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.records import Segment, Transcript, Word
from tests.conftest import new_show, serving, speechlike, write_wav
from tests.golden import build_replayed, copy_show

pytestmark = pytest.mark.browser

HOSTILE_GUEST = '<script>window.pwned = true</script><img src=x onerror="window.pwned = true"> Zoé'
# What the scripted transcriber says, one sentence every 6 s; the one at 24 s is unique to it.
SCRIPT = [
    (0.0, "Camille Durand", "Bonjour et bienvenue."),
    (6.0, "Camille Durand", "Aujourd'hui on parle de portage salarial."),
    (12.0, "Zoé", "Merci de me recevoir."),
    (18.0, "Zoé", "Je suis freelance depuis quatre ans."),
    (24.0, "Zoé", "Le coworking a tout changé pour moi."),
    (30.0, "Camille Durand", "Pourquoi donc ?"),
    (36.0, "Zoé", "On y trouve des collègues sans patron."),
    (42.0, "Camille Durand", "Merci et à bientôt."),
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


class HearsAScript:
    """A transcriber that 'hears' SCRIPT word by word, a segment per speaker's run of sentences
    (the diarize stage may name them otherwise: the page shows what it decided)."""

    def transcribe(self, path, language, prompt="", progress=None):
        segments: list[Segment] = []
        for start, speaker, sentence in SCRIPT:
            words = tuple(Word(start + i * 0.4, start + i * 0.4 + 0.35, " " + w) for i, w in enumerate(sentence.split()))
            last = segments[-1] if segments else None
            if last and last.speaker == speaker:
                segments[-1] = Segment(last.start, words[-1].end, f"{last.text} {sentence}", last.words + words, speaker)
            else:
                segments.append(Segment(start, words[-1].end, sentence, words, speaker))
        return Transcript(language, 48.0, tuple(segments))


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A 48-s episode with chapters, a hostile guest name, served by `podcast serve`'s server."""
    root = new_show(tmp_path_factory.mktemp("small") / "show")
    folder = root / "episodes" / "001-coworking"
    folder.mkdir()
    write_wav(folder / "enregistrement.wav", speechlike(48, -20, noise=0))
    (folder / "episode.toml").write_text(
        "title = 'Le coworking'\npublished = 2026-01-05\nnumber = 1\ndescription = 'Une *conversation*.'\n"
        f"[[guests]]\nname = '{HOSTILE_GUEST}'\nkind = 'coworking'\nrole = 'Freelance'\n"
        "[[chapters]]\nstart = '00:00'\ntitle = 'Bonjour'\n[[chapters]]\nstart = '00:30'\ntitle = 'Pourquoi'\n",
        encoding="utf-8",
    )
    from pipeline.stages import transcribe

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transcribe, "load", lambda *args, **kwargs: HearsAScript())
        report = build(root)
    assert report.ok, (report.failures, report.findings)
    with serving(root / "public") as url:
        yield url


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    root = copy_show(tmp_path_factory.mktemp("bundled") / "show")
    build_replayed(root)
    with serving(root / "public") as url:
        yield url


def _open(browser, url: str, width: int = 1280):
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.get("about:blank")  # a new document, so a same-page #t= change still loads the page
    browser.get(url)
    browser.execute_async_script(
        "var done = arguments[0], p = document.getElementById('player');"
        "if (!p || p.readyState > 0) done(); else p.addEventListener('loadedmetadata', () => done());"
    )


def _time(browser) -> float:
    return browser.execute_script("return document.getElementById('player').currentTime")


def _errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def _axe(browser) -> list[str]:
    """axe-core's violations on the page, as 'rule: target' lines."""
    source = (Path(str(files("selenium_axe_python"))) / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    browser.execute_script(source)
    result = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(r => done(r.violations), e => done(String(e)));",
        AXE_TAGS,
    )
    assert isinstance(result, list), result
    return [f"{v['id']}: {n['target']}" for v in result for n in v["nodes"]]


def test_the_episode_page_loads_without_console_errors(browser, small):
    browser.get_log("browser")  # what earlier tests left
    _open(browser, small + "episodes/001-coworking/")
    assert browser.title.startswith("Le coworking")
    assert _errors(browser) == []


def test_a_sentence_click_seeks_and_is_highlighted(browser, small):
    _open(browser, small + "episodes/001-coworking/")
    sentence = browser.find_element("css selector", "a.sentence[data-start='24.0']")
    assert sentence.text == "Le coworking a tout changé pour moi."
    sentence.click()
    assert _time(browser) == pytest.approx(24.0, abs=0.5)
    assert browser.execute_script("return location.hash") == "#t=24"  # the sentence's deep link, to share
    browser.execute_script("document.getElementById('player').pause()")
    assert "current" in sentence.get_attribute("class")


def test_turns_name_the_speaker_once(browser, small):
    _open(browser, small + "episodes/001-coworking/")
    turns = browser.find_elements("css selector", ".turn")
    speakers = [turn.find_element("css selector", ".speaker").text for turn in turns]
    assert len(turns) >= 2 and all(a != b for a, b in zip(speakers, speakers[1:]))  # a new turn, a new speaker
    sentences = [len(turn.find_elements("css selector", "a.sentence")) for turn in turns]
    assert sum(sentences) == len(SCRIPT)  # (the diarizer hears a voice change at every sentence of a tone)


def test_a_deep_link_opens_the_page_at_that_second(browser, small):
    _open(browser, small + "episodes/001-coworking/#t=20")
    assert _time(browser) == pytest.approx(20.0, abs=0.5)
    current = browser.find_element("css selector", "a.sentence.current")
    assert current.get_attribute("data-start") == "18.0"  # the sentence being said at 20 s


def test_a_chapter_click_seeks(browser, small):
    _open(browser, small + "episodes/001-coworking/")
    browser.find_elements("css selector", ".chapters a.seek")[1].click()
    assert _time(browser) == pytest.approx(30.0, abs=0.5)


def test_the_speed_control(browser, small):
    _open(browser, small + "episodes/001-coworking/")
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "speed")).select_by_value("1.5")
    assert browser.execute_script("return document.getElementById('player').playbackRate") == 1.5


def test_the_keyboard_alone_reaches_and_operates_player_chapters_and_transcript(browser, small):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _open(browser, small + "episodes/001-coworking/")
    browser.execute_script("document.getElementById('player').pause()")
    reached: dict[str, bool] = {}
    for _ in range(80):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.switch_to.active_element
        if focused.get_attribute("id") == "player":
            reached["player"] = True
        classes = focused.get_attribute("class") or ""
        if "seek" in classes and focused.get_attribute("data-start") == "30.0" and "chapter" not in reached:
            focused.send_keys(Keys.ENTER)
            assert _time(browser) == pytest.approx(30.0, abs=0.5)
            reached["chapter"] = True
        if "sentence" in classes and focused.get_attribute("data-start") == "12.0":
            focused.send_keys(Keys.ENTER)
            assert _time(browser) == pytest.approx(12.0, abs=0.5)
            reached["transcript"] = True
            break
    assert reached == {"player": True, "chapter": True, "transcript": True}
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible


def test_a_hostile_guest_name_renders_as_text(browser, small):
    for page in ("", "episodes/001-coworking/", "people/"):
        _open(browser, small + page)
        assert browser.execute_script("return window.pwned === undefined")
        assert not browser.find_elements("css selector", "main img[src='x']")
    _open(browser, small + "episodes/001-coworking/")
    assert HOSTILE_GUEST in browser.find_element("css selector", ".episode-head .guests").text


@pytest.mark.parametrize("page", ["", "episodes/001-coworking/", "people/", "people/camille-durand/"])
def test_no_sideways_scroll_at_360_px(browser, small, page):
    _open(browser, small + page, width=360)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("page", ["", "episodes/001-coworking/", "people/", "people/camille-durand/", "404.html"])
def test_axe_finds_no_violation_on_the_small_show(browser, small, page):
    _open(browser, small + page)
    assert _axe(browser) == []


@pytest.mark.parametrize("page", ["", "episodes/000-bande-annonce/", "people/", "people/ines-moreau/"])
def test_the_bundled_show_passes_axe_and_fits_a_phone(browser, bundled, page):
    browser.get_log("browser")
    _open(browser, bundled + page)
    assert _axe(browser) == []
    assert _errors(browser) == []
    _open(browser, bundled + page, width=360)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360


def test_the_bundled_episode_seeks_from_its_transcript(browser, bundled):
    _open(browser, bundled + "episodes/000-bande-annonce/")
    sentences = browser.find_elements("css selector", "a.sentence")
    assert len(sentences) >= 8
    sentences[5].click()
    assert _time(browser) == pytest.approx(float(sentences[5].get_attribute("data-start")), abs=0.5)
    assert [e.text for e in browser.find_elements("css selector", ".turn .speaker")][:2] == ["Camille Durand", "Inès Moreau"]
    first = browser.find_element("css selector", ".turn")
    assert len(first.find_elements("css selector", "a.sentence")) >= 3  # one name over the whole turn


def test_the_transcript_follows_the_audio_unless_the_reader_scrolled(browser, small):
    follow = (
        "var p = document.getElementById('player'), done = arguments[0];"
        "p.play().then(() => { p.currentTime = 36.5; setTimeout(() => { p.pause(); done(); }, 1500); });"
    )
    _open(browser, small + "episodes/001-coworking/")
    browser.execute_async_script(follow)
    assert browser.find_element("css selector", "a.sentence.current").get_attribute("data-start") == "36.0"
    assert browser.execute_script("return window.scrollY") > 0  # brought into view
    _open(browser, small + "episodes/001-coworking/")
    browser.execute_script("window.dispatchEvent(new WheelEvent('wheel', {deltaY: -10})); window.scrollTo(0, 0)")
    browser.execute_async_script(follow)
    assert browser.find_element("css selector", "a.sentence.current").get_attribute("data-start") == "36.0"
    assert browser.execute_script("return window.scrollY") == 0  # the reader is left where they are


def test_the_copy_button_copies_the_feed_address(browser, small):
    _open(browser, small)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    button = browser.find_element("css selector", "button.copy")
    assert button.is_displayed() and button.text == "Copier l'adresse"
    button.click()
    copied = browser.execute_async_script("navigator.clipboard.readText().then(arguments[0], e => arguments[0](String(e)))")
    assert copied == "http://localhost:8000/feed.xml"
    assert browser.find_element("css selector", ".copied").text == "Adresse copiée."
