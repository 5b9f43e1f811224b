"""The host's report: one self-contained page per built episode, its figures and curves measured
right, its links at the right times, measured once, and nothing of it in public/."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.host import report as report_module
from pipeline.build import build
from pipeline.cli import cli
from pipeline.errors import ConfigError
from pipeline.files import file_sha256
from pipeline.jobs import Paths
from pipeline.host.plots import shares
from pipeline.records import Segment, Transcript, Word
from pipeline.host.report import LIMITED_BY, load_measured, report_path, write_reports
from pipeline.results import LevelReport, Levelled, Transcribed
from pipeline.stages import transcribe

from tests.conftest import AIM_LU, ebur128, write_wav

RATE = 44100
TONE_DB = -30.0  # dBFS, the tone's peak: a 997 Hz sine there measures -33.0 LUFS (mono, BS.1770)
LEAD = 2.0  # seconds of silence before the tone, which normalise trims (keeping 0.25 s)
BURSTS = (3.0, 9.0)  # seconds into the recording: 5 ms at -8 dBFS, which the gain would push over the ceiling
SECONDS = 12.0


def _recording(path: Path) -> Path:
    """Silence, then a steady tone at TONE_DB with two short loud bursts."""
    t = np.arange(int(SECONDS * RATE)) / RATE
    signal = 10 ** (TONE_DB / 20) * np.sin(2 * np.pi * 997 * t) * (t >= LEAD)
    for start in BURSTS:
        burst = (t >= start) & (t < start + 0.005)
        signal[burst] = 10 ** (-8 / 20) * np.sin(2 * np.pi * 997 * t[burst])
    return write_wav(path, signal, RATE)


class Unsure:
    """A transcriber that hears two words, the second pair of which it is unsure of."""

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        words = (
            Word(3.0, 3.4, " Bonjour", 0.95),
            Word(3.5, 3.9, " à", 0.9),
            Word(6.2, 6.6, " Kubernetes", 0.1),
            Word(6.7, 7.3, " cower-king", 0.2),
            Word(8.0, 8.4, " merci", 0.9),
        )
        return Transcript(language, 10.0, (Segment(3.0, 8.4, "".join(w.text for w in words).strip(), words),))


@pytest.fixture
def built(show_root, monkeypatch):
    """The show with one episode built from `_recording`, Whisper replaced by `Unsure`."""
    folder = show_root / "episodes" / "001-ton"
    folder.mkdir()
    _recording(folder / "enregistrement.wav")
    (folder / "episode.toml").write_text('title = "Un ton"\npublished = 2026-01-05\n', encoding="utf-8")
    monkeypatch.setattr(transcribe, "load", lambda *args, **kwargs: Unsure())
    assert build(show_root).ok
    return show_root


class Page(HTMLParser):
    """The parts of the page the tests read: inline SVGs as text, links with a time, every URL."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.svgs = re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)
        self.seeks: list[tuple[float, str]] = []
        self.urls: list[str] = []
        self.rows: dict[str, dict[str, str]] = {}
        self.audio = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("href", "src", "xlink:href", "action", "poster"):
            if found.get(name):
                self.urls.append(found[name])
        if tag == "a" and "data-start" in found:
            self.seeks.append((float(found["data-start"]), found["href"]))
        if tag == "tr" and found.get("id", "").startswith("figure-"):
            self.rows[found["id"].removeprefix("figure-")] = found
        if tag == "audio":
            self.audio = found["src"]


def _page(root: Path, slug: str = "001-ton") -> tuple[Path, str]:
    page = report_path(Paths(root.resolve()), slug)
    return page, page.read_text(encoding="utf-8")


def _levelled(root: Path, slug: str = "001-ton") -> Levelled:
    [state] = [s for s in build(root, dry_run=True).episodes if s.slug == slug]
    return state.results[Levelled]


def test_the_page_shows_what_the_records_hold_and_is_self_contained(built):
    public = {p: file_sha256(p) for p in (built / "public").rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["report", "--root", str(built)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    page, html = _page(built)
    assert result.stdout.strip() == str(page)
    assert "001-ton: measuring the audio" in result.stderr
    assert page.parent == built.resolve() / ".build" / "reports"
    parsed = Page(html)
    # Three pictures (levels, peaks, talk time), each well-formed SVG.
    assert len(parsed.svgs) == 3
    for svg in parsed.svgs:
        assert ElementTree.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # two figures never share an id (clip paths would cross)
    # The figures are the levelled MP3's, as ffmpeg measures it apart, judged as the gate judges.
    levelled_mp3 = built.resolve() / ".build" / "episodes" / "001-ton" / "levelled.mp3"
    written = ebur128(levelled_mp3)
    assert float(parsed.rows["integrated"]["data-value"]) == written["integrated"]
    assert float(parsed.rows["true_peak"]["data-value"]) == written["true_peak"]
    assert float(parsed.rows["lra"]["data-value"]) == written["lra"]
    # README: normalise aims within 0.3 LU, and borderline is past 0.4 LU (80 % of the default 0.5).
    assert parsed.rows["integrated"]["data-verdict"] == "pass"
    assert parsed.rows["true_peak"]["data-verdict"] == "pass"
    # Self-contained: no address outside the page but the levelled MP3 in the build cache.
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert "url(http" not in html and "@import" not in html
    assert {url.split("#")[0] for url in parsed.urls if not url.startswith("#")} == {parsed.audio}  # "#…": inside an SVG
    assert (page.parent / parsed.audio).resolve() == levelled_mp3
    # Not published: public/ exactly as the build left it.
    assert {p: file_sha256(p) for p in (built / "public").rglob("*") if p.is_file()} == public
    assert "French" not in html and 'lang="fr"' in html  # the show's language


def test_curves_match_the_tone_before_and_the_target_after(built):
    [page], _ = write_reports(built)
    levelled = _levelled(built)
    store = report_module.Store(Paths(built.resolve()).build)
    record = store.load("episodes/001-ton", report_module.Measure())
    measured = load_measured(record.result)
    # The programme sits on the episode's timeline: normalise trimmed the silence before the tone.
    assert record.result.offset == pytest.approx(-(LEAD - 0.25), abs=0.05)
    assert levelled.report.trimmed[0] == pytest.approx(LEAD - 0.25, abs=0.05)
    before, after = measured.short_term("before"), measured.short_term("after")
    # Windows (3 s) of steady tone only, away from the bursts: centred 4.6 to 7.4 s into the recording.
    steady = lambda curve, offset: curve.values[(curve.times >= 4.6 + offset) & (curve.times <= 7.4 + offset)]  # noqa: E731
    assert steady(before, record.result.offset) == pytest.approx(-33.0, abs=0.3)  # the tone's known loudness
    # ...and as ffmpeg's ebur128 measures the source apart, at one second: the window ending 7.4 s in.
    source = next((built / "episodes" / "001-ton").glob("*.wav"))
    log = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostats", "-i", str(source), "-af", "ebur128=framelog=info", "-f", "null", "-"],
        capture_output=True,
        text=True,
    ).stderr
    short = {round(float(t), 1): float(s) for t, s in re.findall(r"t: *([\d.]+) .*? S: *(-?[\d.]+)", log)}
    at = np.argmin(np.abs(before.times - (7.4 - 1.5 + record.result.offset)))
    assert before.values[at] == pytest.approx(short[7.4], abs=0.15)
    assert measured.integrated("before") == pytest.approx(ebur128(source)["integrated"], abs=0.15)  # the bursts add 0.6 LU to the tone's -33
    # The show's mono target, -19 LUFS; README: normalise aims within 0.3 LU.
    assert steady(after, record.result.offset) == pytest.approx(-19.0, abs=AIM_LU)
    levelled_mp3 = built.resolve() / ".build" / "episodes" / "001-ton" / "levelled.mp3"
    assert measured.integrated("after") == pytest.approx(ebur128(levelled_mp3)["integrated"], abs=0.15)
    # The waveform: the tone's peak before, ~14 dB higher after (a 2000-point envelope, not every sample).
    envelope = measured.envelope("before")
    middle = (envelope.times > 5) & (envelope.times < 7)
    assert envelope.high[middle] == pytest.approx(10 ** (TONE_DB / 20), rel=0.02)
    assert measured.envelope("after").high.max() < 10 ** (-1 / 20)


def test_the_limiter_is_found_where_the_bursts_are(built):
    write_reports(built)
    levelled = _levelled(built)
    assert levelled.limited
    _, html = _page(built)
    shift = -(LEAD - 0.25)  # normalise trims the silence before the tone, keeping 0.25 s
    record = report_module.Store(Paths(built.resolve()).build).load("episodes/001-ton", report_module.Measure())
    work = report_module.limiting(load_measured(record.result), levelled.report.gain, levelled.duration, levelled.report.trimmed[1])
    limited = sorted(second for second, taken in work.places)
    # The bursts, each held back by several dB, in the second where they are on the episode.
    assert len(limited) == 2, work.places
    for second, burst in zip(limited, BURSTS):
        assert second <= burst + shift < second + 1.0
    assert min(taken for _, taken in work.places) > 3.0
    quiet = np.ones(len(work.reduction), bool)
    for second in limited:
        quiet[int(second)] = False
    assert work.reduction[quiet].max() < 1.0  # the steady tone is not limited
    for second in limited:
        assert f'data-start="{second:.2f}"' in html[html.index('id="limiter"') : html.index('id="doubtful"')]


def test_unsure_passages_link_to_their_time(built):
    write_reports(built, ("001-ton",))
    [state] = build(built, dry_run=True).episodes
    doubtful = state.results[Transcribed].doubtful
    assert [p.text for p in doubtful] == ["Kubernetes cower-king"]
    _, html = _page(built)
    passages = html[html.index('id="doubtful"') : html.index('id="speakers"')]
    [(start, href)] = Page(passages).seeks
    assert start == pytest.approx(6.2)
    assert href.endswith("levelled.mp3#t=6.20")
    assert "Kubernetes cower-king" in passages


def test_a_second_report_reuses_the_measurement(built, monkeypatch):
    write_reports(built)
    curves = Paths(built.resolve()).cache("001-ton") / "report-curves.npz"
    stamp = curves.stat().st_mtime_ns
    calls = []
    monkeypatch.setattr(report_module, "measure_file", lambda *args, **kwargs: calls.append(args))
    [page], _ = write_reports(built)
    assert calls == [] and curves.stat().st_mtime_ns == stamp
    assert page.is_file()


def test_a_new_recording_is_measured_again(built):
    write_reports(built)
    folder = built / "episodes" / "001-ton"
    t = np.arange(int(6 * RATE)) / RATE
    write_wav(folder / "enregistrement.wav", 10 ** (-20 / 20) * np.sin(2 * np.pi * 997 * t), RATE)
    assert build(built).ok
    write_reports(built)
    record = report_module.Store(Paths(built.resolve()).build).load("episodes/001-ton", report_module.Measure())
    before = load_measured(record.result).short_term("before").values
    assert np.nanmedian(before) == pytest.approx(-23.0, abs=0.3)


def test_an_unknown_or_unbuilt_slug_is_a_clear_error(built, add_episode):
    result = CliRunner().invoke(cli, ["report", "999-nope", "--root", str(built)])
    assert result.exit_code == 1
    assert "no episode folder named 999-nope" in result.output
    add_episode("002-brouillon")  # not built
    with pytest.raises(ConfigError, match=r"002-brouillon: no report: not built yet; run 'podcast build 002-brouillon' first"):
        write_reports(built, ("002-brouillon",))
    gone = report_path(Paths(built.resolve()), "000-supprime")  # the report of an episode since removed
    gone.parent.mkdir(parents=True, exist_ok=True)
    gone.write_text("old", encoding="utf-8")
    pages, skipped = write_reports(built)  # all: the built one, the other named
    assert [p.name for p in pages] == ["001-ton.html"] and skipped == ["002-brouillon: not built yet"]
    assert not gone.exists()


def test_talk_time_bars_name_each_speaker():
    svg = shares({"Camille Durand": 90.0, "Inès <Moreau> $x^2$": 30.0}, lambda share, seconds: f"{share:.0%}", "speakers")
    root = ElementTree.fromstring(svg)
    text = " ".join("".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Camille Durand" in text and "Inès <Moreau> $x^2$" in text  # escaped in the SVG, not typeset as TeX
    assert "75%" in text and "25%" in text


def test_talk_time_bars_longest_at_the_top():
    """The talk time bars read from the top, longest first: the host sees who talked most at once."""
    svg = shares({"Aline": 10.0, "Bruno": 50.0, "Chloé": 30.0}, lambda share, seconds: f"{share:.0%}", "speakers")
    root = ElementTree.fromstring(svg)
    heights = {"".join(node.itertext()): float(node.get("y")) for node in root.iter("{http://www.w3.org/2000/svg}text")}
    assert sorted(["Aline", "Bruno", "Chloé"], key=heights.__getitem__) == ["Bruno", "Chloé", "Aline"]  # SVG's y grows downwards


def test_svg_figures_stay_small_on_an_hour():
    """An hour of 100 ms steps is drawn from a few thousand points."""
    from pipeline.host import plots

    hour = np.arange(36000) * 0.1
    rng = np.random.default_rng(1)
    curve = plots.Curve(hour, -19 + rng.standard_normal(hour.size))
    envelope = plots.Envelope(np.arange(2000) * 1.8, -rng.random(2000), rng.random(2000))
    words = plots.Words(*(["x"] * 11))
    svg = plots.levels(3600.0, (envelope, envelope), (curve, curve), -19.0, 0.5, words, "levels")
    assert len(svg) < 400_000
    assert len(plots.thinned(curve).values) <= 1500  # an hour of 100 ms steps, from every 24th


@pytest.mark.browser
def test_the_report_plays_from_disk_and_seeks(built, browser):
    """Opened as a file, the page's player loads the levelled MP3 and a passage's link seeks to it."""
    [page], _ = write_reports(built)
    browser.get(page.as_uri())
    ready = browser.execute_async_script(
        "const done = arguments[0], p = document.getElementById('player');"
        "if (p.readyState >= 1) return done(p.duration);"
        "p.addEventListener('loadedmetadata', () => done(p.duration)); p.addEventListener('error', () => done(-1));"
    )
    assert ready > 5
    browser.find_element("css selector", "#doubtful a[data-start]").click()
    position = browser.execute_script("const p = document.getElementById('player'); p.pause(); return p.currentTime;")
    assert position == pytest.approx(6.2, abs=0.5)
    assert browser.find_elements("css selector", "svg")


def test_the_gate_verdict_keeps_its_reasons_once_approved(show_root, tmp_path):
    """Borderline loudness holds an episode; approved, it is published and the page still says why it was held."""
    from dataclasses import replace as replaced
    from datetime import datetime, timezone

    from pipeline.build import EpisodeState
    from pipeline.config import load_show
    from pipeline.records import Episode
    from pipeline.host.report import gate_verdict
    from pipeline.results import Results

    show = load_show(show_root)
    results = Results()
    results.add(
        Levelled(
            tmp_path / "a.mp3",
            tmp_path / "s.flac",
            None,
            (),
            (),
            100.0,
            "64k",
            -19.45,
            -2.0,
            5.0,
            False,
            LevelReport(-19.0, 1, -23.0, -6.0, 4.0, None, 1, None, (0.0, 0.0)),
        )
    )
    episode = Episode("001-a", show_root, "A", datetime(2026, 1, 5, tzinfo=timezone.utc), ())
    held = gate_verdict(show, EpisodeState("001-a", episode=episode, results=results, ready=False))
    assert held.state == "held" and "loudness -19.4 LUFS" in held.reasons[0] and not held.approved
    approved = gate_verdict(show, EpisodeState("001-a", episode=replaced(episode, approved=True), results=results, ready=True))
    assert approved.state == "published" and approved.reasons == held.reasons and approved.approved
    draft = gate_verdict(show, EpisodeState("001-a", episode=episode, results=results, note=report_module.State.DRAFT))
    assert draft.state == "draft"
    # Held by the feed's linter (the build found it; the results alone do not say it).
    quiet = Results()
    quiet.add(replaced(results[Levelled], integrated=-19.0))
    linted = ["the feed's podcast:person: href http://example.org/ines must use https:, not http:"]
    by_linter = gate_verdict(show, EpisodeState("001-a", episode=episode, results=quiet, note=report_module.State.HELD, held=linted))
    assert by_linter.state == "held" and by_linter.reasons == linted


def test_the_leveller_is_not_taken_for_the_limiter(show_root, no_whisper):
    """A loud voice and a quiet one (15 dB apart) are evened out by the leveller, not limited: the
    peaks a gain alone would give are computed with the leveller's gain, so no second shows as limited."""
    folder = show_root / "episodes" / "001-deux"
    folder.mkdir()
    t = np.arange(int(24 * RATE)) / RATE
    loud = (t // 4) % 2 == 0
    write_wav(folder / "enregistrement.wav", np.where(loud, 10 ** (-12 / 20), 10 ** (-27 / 20)) * np.sin(2 * np.pi * 997 * t), RATE)
    (folder / "episode.toml").write_text('title = "Deux voix"\npublished = 2026-01-05\n', encoding="utf-8")
    assert build(show_root).ok
    write_reports(show_root)
    levelled = _levelled(show_root, "001-deux")
    assert levelled.report.levelled_range > 11 and not levelled.limited
    record = report_module.Store(Paths(show_root.resolve()).build).load("episodes/001-deux", report_module.Measure())
    measured = load_measured(record.result)
    work = report_module.limiting(measured, levelled.report.gain, levelled.duration, levelled.report.trimmed[1])
    assert work.places == [] and work.reduction.max() < 1.0
    # Before, the two voices 15 dB apart; after, within a few dB of each other.
    before, after = measured.short_term("before"), measured.short_term("after")
    at = lambda curve, second: curve.values[np.argmin(np.abs(curve.times - second))]  # noqa: E731
    assert at(before, 2.0) - at(before, 6.0) == pytest.approx(15.0, abs=0.5)
    assert abs(at(after, 2.0) - at(after, 6.0)) < 6.0


def test_before_and_after_share_the_episodes_time_axis_with_an_intro(show_root, no_whisper):
    """The programme starts after the intro jingle (less the crossfade): a pause in the recording
    is drawn at the same time before and after levelling."""
    from tests.conftest import speechlike

    write_wav(show_root / "intro.wav", speechlike(3, -6, RATE, seed=5, noise=0), RATE)
    with (show_root / "podcast.toml").open("a") as f:
        f.write('[jingles]\nintro = "intro.wav"\ncrossfade = 0.5\n')
    folder = show_root / "episodes" / "001-pause"
    folder.mkdir()
    t = np.arange(int(8 * RATE)) / RATE
    pause = (t >= 3.0) & (t < 4.5)
    write_wav(folder / "enregistrement.wav", np.where(pause, 0.0, 10 ** (TONE_DB / 20)) * np.sin(2 * np.pi * 997 * t), RATE)
    (folder / "episode.toml").write_text('title = "Une pause"\npublished = 2026-01-05\n', encoding="utf-8")
    assert build(show_root).ok
    write_reports(show_root)
    record = report_module.Store(Paths(show_root.resolve()).build).load("episodes/001-pause", report_module.Measure())
    measured = load_measured(record.result)
    assert record.result.offset > 1.5  # the intro, trimmed of its silent edges, less the 0.5 s crossfade

    def pause_starts(which: str) -> float:
        loudness = measured.arrays[f"{which}_momentary"]
        times = measured.times(which, "momentary")
        level = np.median(loudness[(times > record.result.offset + 1) & (times < record.result.offset + 2.5)])
        return float(times[(times > record.result.offset + 2) & (loudness < level - 20)][0])

    # Where the pause is in the levelled MP3 as ffmpeg decodes it: the first second of silence.
    levelled_mp3 = show_root.resolve() / ".build" / "episodes" / "001-pause" / "levelled.mp3"
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(levelled_mp3), "-ac", "1", "-ar", "8000", "-f", "f32le", "-"]
    heard = np.frombuffer(subprocess.run(command, capture_output=True, check=True).stdout, np.float32)
    quiet = np.convolve(np.abs(heard) < 1e-3, np.ones(8000), "valid") == 8000
    pause = int(np.argmax(quiet)) / 8000
    assert record.result.offset == pytest.approx(pause - 3.0, abs=0.05)
    assert pause_starts("after") == pytest.approx(pause + 0.4, abs=0.15)  # a 400 ms block ends in it
    assert pause_starts("before") == pytest.approx(pause + 0.4, abs=0.15)


def test_a_held_episode_says_why_and_how_to_let_it_out(built, monkeypatch):
    reason = "loudness -19.4 LUFS is <0.4> LU off"
    monkeypatch.setattr(report_module, "hold_reasons", lambda show, episode, results: [reason])
    write_reports(built)
    _, html = _page(built)
    gate = html[html.index('id="gate"') : html.index('id="loudness"')]
    assert "Retenu" in gate and "loudness -19.4 LUFS is &lt;0.4&gt; LU off" in gate  # escaped
    assert "podcast approve 001-ton" in gate


def _levelled_at(integrated: float, true_peak: float = -1.5, lra: float = 6.0, target: float = -16.0) -> Levelled:
    report = LevelReport(
        target=target,
        channels=2,
        input_integrated=-30.0,
        input_true_peak=-20.0,
        gain=14.0,
        levelled_range=None,
        encodes=1,
        mp3_quality=None,
        trimmed=(0.0, 0.0),
    )
    return Levelled(Path("a.mp3"), Path("a.flac"), None, (), (), 60.0, "128k", integrated, true_peak, lra, False, report)


@pytest.mark.parametrize(
    "integrated, verdict",
    [
        (-16.0, "pass"),
        (-16.4, "pass"),  # 0.4 LU under: not more than 0.4
        (-15.6, "pass"),  # 0.4 LU over, likewise
        (-16.41, "borderline"),
        (-15.59, "borderline"),
        (-16.5, "borderline"),  # at the tolerance: in, only just
        (-15.5, "borderline"),
        (-16.51, "fail"),
        (-15.49, "fail"),
    ],
)
def test_the_loudness_verdict_at_each_edge(show_root, integrated, verdict):
    """README (the publish gate): borderline when "more than 80 % of the show's tolerance off the
    target (0.4 LU with the default 0.5)"; past the tolerance (0.5 LU) normalise fails it."""
    from pipeline.config import load_show
    from pipeline.host.report import figures

    [loudness, _, _] = figures(load_show(show_root), _levelled_at(integrated))
    assert (loudness.key, loudness.verdict, loudness.aim) == ("integrated", verdict, "-16 ± 0.5")


@pytest.mark.parametrize("true_peak, verdict", [(-1.0, "pass"), (-0.99, "fail"), (-5.0, "pass")])
def test_the_true_peak_verdict_at_the_ceiling(show_root, true_peak, verdict):
    """README: the ceiling is -1 dBTP by default; a peak at it passes, over it does not."""
    from pipeline.config import load_show
    from pipeline.host.report import figures

    [_, peak, _] = figures(load_show(show_root), _levelled_at(-16.0, true_peak=true_peak))
    assert (peak.verdict, peak.aim) == (verdict, "≤ -1")


@pytest.mark.parametrize("lra, verdict", [(11.0, "pass"), (11.1, "borderline")])
def test_the_range_verdict_at_the_shows_lra(show_root, lra, verdict):
    """README: `lra` is 11 LU by default; a range at it passes, a wider one is only warned about."""
    from pipeline.config import load_show
    from pipeline.host.report import figures

    [_, _, spread] = figures(load_show(show_root), _levelled_at(-16.0, lra=lra))
    assert (spread.verdict, spread.aim) == (verdict, "≤ 11")


def test_the_reports_thresholds_are_the_documented_ones():
    """The gate's 80 % (README) and the 1 dB a second's peak must lose to count as limited (MP3
    alone moves true peaks by up to ±1 dB: report.py), pinned so a change is a decision."""
    from pipeline.host.gate import LOUDNESS_BORDERLINE

    assert LOUDNESS_BORDERLINE == 0.8
    assert LIMITED_BY == 1.0


def test_talk_time_bars_geometry():
    """The talk-time figure as drawn: 6 in wide (0.6 of the 10 in column) and 0.5 in plus 0.42 in a
    speaker high, blue bars (the published colour) 0.6 of their row thick, each as long as its
    share of an axis that ends at 125 % (room for the labels), labels 4 pt after the bar in small
    type, and no frame but the names' side."""
    svg = shares({"Aline": 10.0, "Bruno": 50.0, "Chloé": 30.0}, lambda share, seconds: f"{share:.0%}", "speakers")
    root = ElementTree.fromstring(svg)
    assert (root.get("width"), root.get("height")) == ("432pt", "126.72pt")

    def box(d: str) -> tuple[float, float, float, float]:
        xs, ys = (lambda n: ([n[i] for i in range(0, len(n), 2)], [n[i] for i in range(1, len(n), 2)]))([float(v) for v in re.findall(r"-?\d+\.?\d*", d)])
        return min(xs), max(xs), min(ys), max(ys)

    paths = [(box(p.get("d")), p.get("style", "")) for p in root.iter("{http://www.w3.org/2000/svg}path")]
    [axes] = [b for b, style in paths if style == "fill: #ffffff" and b[0] > 0]
    bars = sorted((b for b, style in paths if style == "fill: #1f6fb2"), key=lambda b: b[1])
    assert len(bars) == 3
    width = axes[1] - axes[0]
    for (left, right, _, _), share in zip(bars, (10 / 90, 30 / 90, 50 / 90)):
        assert left == pytest.approx(axes[0], abs=0.1) and (right - left) / width == pytest.approx(share / 1.25, abs=0.001)
    rows = sorted(b[2] for b in bars)
    assert (bars[0][3] - bars[0][2]) / (rows[1] - rows[0]) == pytest.approx(0.6, abs=0.01)
    labels = {"".join(t.itertext()): t for t in root.iter("{http://www.w3.org/2000/svg}text") if "%" in "".join(t.itertext())}
    assert sorted(labels) == ["11%", "33%", "56%"]
    for (_, right, _, _), text in zip(bars, ("11%", "33%", "56%")):
        assert float(labels[text].get("x")) - right == pytest.approx(4, abs=0.1)
        assert "font-size: 8.33px" in labels[text].get("style")
    frames = [style for _, style in paths if "stroke-linejoin: miter" in style and "stroke-width: 0.8" in style]
    assert len(frames) == 1  # the left spine alone
    assert axes[1] >= 432 - 4  # laid out to the figure's edge, not inside matplotlib's default margins


def test_a_figure_is_the_same_svg_each_time_with_ids_of_its_own():
    """Ids are prefixed with the figure's name (two figures share a page) and hashed with it, so a
    report made again is the same file."""
    draw = lambda: shares({"Aline": 10.0, "Bruno": 50.0}, lambda share, seconds: f"{share:.0%}", "speakers")  # noqa: E731
    svg = draw()
    assert svg == draw()
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("speakers-") for i in ids)
