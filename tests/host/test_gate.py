"""The publish gate: each reason holds an episode (the others still published), approval lets it out."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.audio import ffmpeg
from pipeline.build import build
from pipeline.cli import cli
from pipeline.config import load_show
from pipeline.host.gate import approve, hold_reasons, wordless
from pipeline.records import Episode, Segment, Transcript, Word
from pipeline.results import LevelReport, Levelled, Passage, Results, Transcribed
from pipeline.stages import transcribe
from pipeline.text.writers import get_writer


def _words(spans: list[tuple[float, float]], probability: float = 0.9) -> tuple[Segment, ...]:
    words = tuple(Word(a, b, f" mot{i}", probability) for i, (a, b) in enumerate(spans))
    return (Segment(spans[0][0], spans[-1][1], "".join(w.text for w in words), words),) if words else ()


def _results(tmp_path: Path, spans, duration: float, integrated: float = -19.0, doubtful=()) -> Results:
    path = tmp_path / "transcript.json"
    segments = _words(spans)
    path.write_text(get_writer("json").write(Transcript("fr", duration, segments)), encoding="utf-8")
    results = Results()
    results.add(
        Levelled(
            tmp_path / "a.mp3",
            tmp_path / "s.flac",
            None,
            (),
            (),
            duration,
            "64k",
            integrated,
            -2.0,
            5.0,
            False,
            LevelReport(-19.0, 1, -23.0, -6.0, 4.0, None, 1, None, (0.0, 0.0)),
        )
    )
    results.add(Transcribed(path, len(segments), len(spans), tuple(doubtful)))
    return results


def _episode(show_root: Path, approved: bool = False) -> Episode:
    from datetime import datetime, timezone

    return Episode("001-a", show_root, "A", datetime(2026, 1, 5, tzinfo=timezone.utc), (), approved=approved)


EVERY_SECOND = [(t + 0.1, t + 0.8) for t in range(0, 100)]


def test_a_clean_episode_goes_through(show_root, tmp_path):
    assert hold_reasons(load_show(show_root), _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0)) == []


def test_borderline_loudness_holds(show_root, tmp_path):
    show = load_show(show_root)  # tolerance 0.5: held past 0.4 LU off
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.35)) == []
    [reason] = hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.45))
    assert "loudness -19.4 LUFS" in reason and "0.5 LU off" not in reason


def test_a_mostly_unsure_transcript_holds(show_root, tmp_path):
    show = load_show(show_root)  # 70 s of words: held past 28 s of unsure words
    few = [Passage(t + 0.1, t + 4.8, "x") for t in range(0, 35, 5)]  # 7 × 5 words of 0.7 s: 24.5 s of 70
    many = [Passage(t + 0.1, t + 4.8, "x") for t in range(0, 45, 5)]  # 9 × 5 words: 31.5 s
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, doubtful=few)) == []
    [reason] = hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, doubtful=many))
    assert "45% of the speech" in reason
    short = [(t + 0.1, t + 0.8) for t in range(0, 40)]  # 28 s of words, all unsure: too few to judge
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, short, 40.0, doubtful=[Passage(0, 40, "x")])) == []


def test_a_minute_without_words_holds(show_root, tmp_path):
    show = load_show(show_root)
    spans = [s for s in EVERY_SECOND if not 20 <= s[0] < 85]
    [reason] = hold_reasons(show, _episode(show_root), _results(tmp_path, spans, 100.0))
    assert "no words from 0:19 to 1:25 (65 s)" in reason
    assert wordless([(0.5, 1.0)], 70.0) == [(1.0, 70.0)]  # after the last word, too
    assert wordless([(61.5, 62.0)], 62.0) == [(0.0, 61.5)]  # before the first
    assert wordless([], 600.0) == [(0.0, 600.0)]


def test_an_episode_without_any_word_is_not_judged(show_root, tmp_path):
    """A show of tones: Whisper's voice detector found no speech, so there is no transcript to judge."""
    assert hold_reasons(load_show(show_root), _episode(show_root), _results(tmp_path, [], 300.0)) == []


def test_approved_goes_through(show_root, tmp_path):
    results = _results(tmp_path, [], 100.0, integrated=-19.45)
    assert hold_reasons(load_show(show_root), _episode(show_root), results)
    assert hold_reasons(load_show(show_root), _episode(show_root, approved=True), results) == []


class HearsByEpisode:
    """Words every second, but a gap of 70 s in 002 and unsure words all along in 003."""

    def transcribe(self, path: Path, language: str, prompt: str = "", progress: object = None) -> Transcript:
        duration = ffmpeg.probe(path).duration
        spans = [(t + 0.1, t + 0.8) for t in range(int(duration))]
        probability = 0.9
        if "002-" in str(path):
            spans = [s for s in spans if not 2 <= s[0] < 73]
        if "003-" in str(path):
            probability = 0.1
        return Transcript(language, duration, _words(spans, probability))


@pytest.fixture
def hears_by_episode(monkeypatch):
    monkeypatch.setattr(transcribe, "load", lambda *args, **kwargs: HearsByEpisode())


def test_held_episodes_stay_out_until_approved(show_root, add_episode, hears_by_episode):
    add_episode("001-clair", 'title = "Clair"\npublished = 2026-01-05\n')
    add_episode(
        "002-trou", '# enregistré dehors\ntitle = "Trou"\npublished = 2026-01-12\n\n[[links]]\ntitle = "x"\nurl = "https://example.org/"\n', seconds=76.0
    )
    add_episode("003-flou", 'title = "Flou"\npublished = 2026-01-19\n', seconds=45.0)  # 31.5 s of words
    report = build(show_root)
    assert report.ok and report.published == ["001-clair"]
    held = {e.slug: e.held for e in report.episodes if e.note}
    assert set(held) == {"002-trou", "003-flou"} and all(e.note == "held" for e in report.episodes if e.note)
    assert "no words from 0:01 to 1:13" in held["002-trou"][0]
    assert "of the speech is transcribed with low confidence" in held["003-flou"][0]
    public = show_root / "public"
    assert sorted(p.name for p in (public / "audio").iterdir()) == ["001-clair.mp3"]
    assert not (public / "episodes" / "002-trou").exists()
    feed = (public / "feed.xml").read_text(encoding="utf-8")
    assert "Clair" in feed and "Trou" not in feed and "Flou" not in feed

    status = CliRunner().invoke(cli, ["status", "--root", str(show_root)], catch_exceptions=False)
    assert "held: no words from 0:01 to 1:13" in status.output
    assert "held: 100% of the speech" in status.output

    toml = show_root / "episodes" / "002-trou" / "episode.toml"
    before = toml.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["approve", "002-trou", "--root", str(show_root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    after = toml.read_text(encoding="utf-8")
    assert after.startswith("# enregistré dehors\n") and "approved = true\n\n[[links]]" in after
    assert after == before.replace("2026-01-12\n", "2026-01-12\napproved = true\n")
    result = CliRunner().invoke(cli, ["build", "--root", str(show_root)], catch_exceptions=False)
    assert "2 episode(s) published" in result.output and "held: 003-flou" in result.output and "not published: 003-flou (held)" in result.output
    assert sorted(p.name for p in (public / "audio").iterdir()) == ["001-clair.mp3", "002-trou.mp3"]


def test_approve_replaces_a_false_and_refuses_a_bad_slug(show_root, add_episode):
    folder = add_episode("001-a", 'title = "A"\napproved = false\npublished = 2026-01-05\n', audio_name="")
    approve(show_root / "episodes", "001-a")
    assert (folder / "episode.toml").read_text(encoding="utf-8") == 'title = "A"\napproved = true\npublished = 2026-01-05\n'
    result = CliRunner().invoke(cli, ["approve", "../001-a", "--root", str(show_root)])
    assert result.exit_code == 1 and "not an episode's folder name" in result.output


GUEST_HTTP = 'title = "Lien"\npublished = 2026-01-12\n\n[[guests]]\nname = "Inès Moreau"\nurl = "http://example.org/ines"\n'


def test_an_episode_the_linter_flags_is_held_until_fixed(show_root, add_episode, hears_by_episode):
    """A guest's address in http: is a podcast:person error (1.0.md: "must be given as https:"),
    which config accepts (a web page may well be http:): the feed as built is linted, the episode
    held, and the feed, site and search made without it in the same build."""
    add_episode("001-clair", 'title = "Clair"\npublished = 2026-01-05\n')
    folder = add_episode("002-lien", GUEST_HTTP)
    public = show_root / "public"
    report = build(show_root)
    assert report.ok and report.published == ["001-clair"] and not report.findings
    [held] = [e for e in report.episodes if e.note]
    assert held.slug == "002-lien" and held.states["tag"] == "held"
    assert held.held == ["the feed's podcast:person: href http://example.org/ines must use https:, not http:"]
    feed = (public / "feed.xml").read_text(encoding="utf-8")
    assert "Clair" in feed and "Lien" not in feed and "Inès" not in feed
    assert sorted(p.name for p in (public / "audio").iterdir()) == ["001-clair.mp3"]
    assert not (public / "episodes" / "002-lien").exists()
    assert "Lien" not in (public / "index.html").read_text(encoding="utf-8")

    # Held again before it is tagged: nothing runs, nothing of it lands in public/.
    ran: list = []
    again = build(show_root, progress=lambda scope, stage, state, outcome: ran.append((scope, stage, state)))
    assert not [r for r in ran if r[2] == "ran"], ran
    assert [e.held for e in again.episodes if e.note] == [held.held]
    status = CliRunner().invoke(cli, ["status", "--root", str(show_root)], catch_exceptions=False)
    assert "held: the feed's podcast:person: href http://example.org/ines" in status.output

    # Fixed: published.
    (folder / "episode.toml").write_text(GUEST_HTTP.replace("http:", "https:"), encoding="utf-8")
    fixed = build(show_root)
    assert fixed.ok and fixed.published == ["001-clair", "002-lien"] and not any(e.note for e in fixed.episodes)
    assert "Inès Moreau" in (public / "feed.xml").read_text(encoding="utf-8")


def test_an_approved_episode_the_linter_flags_is_published_and_fails_the_build(show_root, add_episode, hears_by_episode):
    add_episode("002-lien", GUEST_HTTP.replace("\n\n", "\napproved = true\n\n", 1))
    report = build(show_root)
    assert report.published == ["002-lien"] and not report.ok
    assert [f.tag for f in report.findings if f.level == "error"] == ["podcast:person"]
    assert "http://example.org/ines" in (show_root / "public" / "feed.xml").read_text(encoding="utf-8")


def test_approving_an_episode_the_linter_held_publishes_it_and_fails_the_build(show_root, add_episode, hears_by_episode):
    """README, "The publish gate": `podcast approve SLUG` lets a held episode out; "an error ... of
    an approved episode fails the build instead (exit status 1)", and the approval "changes
    nothing else (no stage runs again because of it)"."""
    add_episode("001-clair", 'title = "Clair"\npublished = 2026-01-05\n')
    add_episode("002-lien", GUEST_HTTP)
    public = show_root / "public"
    held = build(show_root)
    assert held.ok and held.published == ["001-clair"]  # held by the linter: not a failure

    approved = CliRunner().invoke(cli, ["approve", "002-lien", "--root", str(show_root)], catch_exceptions=False)
    assert approved.exit_code == 0, approved.output
    ran: list = []
    report = build(show_root, progress=lambda scope, stage, state, outcome: ran.append((scope, stage)) if state == "ran" else None)
    assert report.published == ["001-clair", "002-lien"] and not report.ok
    assert [(f.tag, f.level) for f in report.findings if f.level == "error"] == [("podcast:person", "error")]
    # Only the stages the gate stood before ran: the episode's levelling, transcript and notes were kept.
    assert [stage for scope, stage in ran if scope == "002-lien"] == ["tag"]
    assert not [r for r in ran if r[0] == "001-clair"]
    assert (public / "audio" / "002-lien.mp3").is_file() and (public / "episodes" / "002-lien" / "index.html").is_file()
    assert "http://example.org/ines" in (public / "feed.xml").read_text(encoding="utf-8")

    again = CliRunner().invoke(cli, ["build", "--root", str(show_root)], catch_exceptions=False)
    assert again.exit_code == 1, again.output  # every build fails while the error is there
    assert "2 episode(s) published" in again.output


# Each threshold of the README's table ("The publish gate"), just inside and just past it.


def test_loudness_is_held_past_80_percent_of_the_tolerance(show_root, tmp_path):
    """ "more than 80 % of the show's `tolerance` off the target (0.4 LU with the default 0.5)"."""
    show = load_show(show_root)  # target -19 (mono), tolerance 0.5
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.39)) == []
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-18.61)) == []
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.41))
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-18.59))  # too loud too


def test_exactly_0_4_lu_off_is_not_more_than_0_4(show_root, tmp_path):
    """ebur128 prints tenths: -19.4 and -18.6 are 0.4 LU off the -19 target, not more, and pass."""
    show = load_show(show_root)
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.4)) == []
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-18.6)) == []


def test_the_loudness_threshold_follows_the_show_s_tolerance(tmp_path):
    """80 % of a tolerance of 1 LU: 0.8 LU."""
    from tests.conftest import SHOW_TOML, new_show

    root = new_show(tmp_path / "show", SHOW_TOML + "\n[loudness]\ntolerance = 1.0\n")
    show = load_show(root)
    assert hold_reasons(show, _episode(root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.79)) == []
    assert hold_reasons(show, _episode(root), _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.81))


HALF_SECOND_WORDS = [(float(i), i + 0.5) for i in range(60)]  # 60 words of 0.5 s: 30 s of speech


def test_unsure_words_are_held_past_40_percent(show_root, tmp_path):
    """ "more than 40 % of the words' time in Whisper's unsure passages"."""
    show = load_show(show_root)
    forty = [Passage(0.0, 23.6, "x")]  # the first 24 words: 12 s of 30, 40 %
    past = [Passage(0.0, 24.6, "x")]  # 25 words: 12.5 s, 42 %
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, HALF_SECOND_WORDS, 61.0, doubtful=forty)) == []
    [reason] = hold_reasons(show, _episode(show_root), _results(tmp_path, HALF_SECOND_WORDS, 61.0, doubtful=past))
    assert "42% of the speech" in reason


def test_unsure_words_are_judged_from_30_s_of_words(show_root, tmp_path):
    """ "on episodes with at least 30 s of words": 30 s is judged, 29.5 s is not."""
    show = load_show(show_root)
    everything = [Passage(0.0, 61.0, "x")]
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, HALF_SECOND_WORDS, 61.0, doubtful=everything))
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, HALF_SECOND_WORDS[:-1], 61.0, doubtful=everything)) == []


def test_a_wordless_stretch_is_held_past_60_s(show_root, tmp_path):
    """ "over 60 s without a word, between words or at either end"."""
    show = load_show(show_root)
    assert wordless([(10.0, 10.5), (70.5, 71.0)], 71.0) == []  # exactly 60 s between two words
    assert wordless([(10.0, 10.5), (70.75, 71.0)], 71.0) == [(10.5, 70.75)]
    assert wordless([(60.0, 61.0)], 61.0) == [] and wordless([(60.5, 61.0)], 61.0) == [(0.0, 60.5)]  # before the first
    assert wordless([(0.0, 1.0)], 61.0) == [] and wordless([(0.0, 1.0)], 61.5) == [(1.0, 61.5)]  # after the last
    assert hold_reasons(show, _episode(show_root), _results(tmp_path, [(10.0, 10.5), (70.5, 71.0)], 71.0)) == []
    [reason] = hold_reasons(show, _episode(show_root), _results(tmp_path, [(10.0, 10.5), (70.75, 71.0)], 71.0))
    assert "no words from 0:10 to 1:10 (60 s)" in reason
