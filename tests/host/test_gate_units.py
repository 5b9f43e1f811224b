"""The publish gate's parts, each on a small hand-made case: `podcast approve`'s edit of
episode.toml, the transcript's figures and where they are kept, each reason's wording, and the
feed linter's hold kept between builds."""

from __future__ import annotations

import hashlib
import json
import locale
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import load_show
from pipeline.errors import ConfigError
from pipeline.files import HashCache
from pipeline.host import gate
from pipeline.host.gate import approve, feed_hold, hold_reasons, save_feed_hold, transcript_figures
from pipeline.records import Segment, Transcript, Word
from pipeline.results import Noted, Passage, Results, Tagged, Transcribed
from pipeline.text.writers import get_writer
from tests.host.test_gate import EVERY_SECOND, _episode, _results

# `podcast approve SLUG`: "writes `approved = true` into its `episode.toml`, the rest of the file untouched".


def _approve(tmp_path: Path, toml: str, slug: str = "001-portage") -> str:
    (tmp_path / slug).mkdir()
    (tmp_path / slug / "episode.toml").write_bytes(toml.encode("utf-8"))
    assert approve(tmp_path, slug) == tmp_path / slug / "episode.toml"
    return (tmp_path / slug / "episode.toml").read_bytes().decode("utf-8")


def test_approve_puts_the_key_before_the_first_table_keeping_comments_and_accents(tmp_path):
    toml = (
        "# Enregistré chez Inès — dehors, un peu de vent\n"
        'title = "Le portage salarial — avec Inès"\n'
        "published = 2026-01-12\n"
        "\n"
        "[[links]]\n"
        'title = "Le site d’Inès"  # lien vérifié\n'
        'url = "https://example.org/inès"\n'
    )
    assert _approve(tmp_path, toml) == (
        "# Enregistré chez Inès — dehors, un peu de vent\n"
        'title = "Le portage salarial — avec Inès"\n'
        "published = 2026-01-12\n"
        "approved = true\n"
        "\n"
        "[[links]]\n"
        'title = "Le site d’Inès"  # lien vérifié\n'
        'url = "https://example.org/inès"\n'
    )


def test_approve_adds_the_key_after_a_comment_ending_the_top_part(tmp_path):
    toml = 'title = "Épisode X"\npublished = 2026-01-12\n# la suite de l\'épisode IX\n\n[[guests]]\nname = "Inès Moreau"\n'
    expected = 'title = "Épisode X"\npublished = 2026-01-12\n# la suite de l\'épisode IX\napproved = true\n\n[[guests]]\nname = "Inès Moreau"\n'
    assert _approve(tmp_path, toml) == expected


def test_approve_without_a_table_adds_the_key_at_the_end_and_leaves_the_last_line_as_it_was(tmp_path):
    # The last line's trailing spaces are the host's: only a line is added.
    assert _approve(tmp_path, 'title = "A"\npublished = 2026-01-05   \n') == 'title = "A"\npublished = 2026-01-05   \napproved = true\n'


def test_approve_replaces_approved_false_above_a_table(tmp_path):
    toml = '# à réécouter\ntitle = "A"\napproved = false\npublished = 2026-01-05\n\n[[links]]\ntitle = "x"\nurl = "https://example.org/"\n'
    expected = '# à réécouter\ntitle = "A"\napproved = true\npublished = 2026-01-05\n\n[[links]]\ntitle = "x"\nurl = "https://example.org/"\n'
    assert _approve(tmp_path, toml) == expected


def test_approve_keeps_the_comment_after_the_key_and_its_indentation(tmp_path):
    toml = 'title = "A"\n  approved  =  false  # pas encore écouté\npublished = 2026-01-05\n'
    expected = 'title = "A"\n  approved  =  true  # pas encore écouté\npublished = 2026-01-05\n'
    assert _approve(tmp_path, toml) == expected


def test_approve_of_an_approved_episode_changes_nothing(tmp_path):
    toml = 'title = "A"\napproved = true # déjà\n\n[[links]]\ntitle = "x"\nurl = "https://example.org/"\n'
    assert _approve(tmp_path, toml) == toml


def test_approve_leaves_an_approved_line_inside_the_description_alone(tmp_path):
    """An episode about configuration files quotes one in its description: only the key changes."""
    toml = 'title = "TOML"\napproved = false\ndescription = """\nOn écrit :\napproved = false\n"""\npublished = 2026-01-05\n'
    expected = 'title = "TOML"\napproved = true\ndescription = """\nOn écrit :\napproved = false\n"""\npublished = 2026-01-05\n'
    assert _approve(tmp_path, toml) == expected


def test_approve_refuses_a_file_it_cannot_edit_safely_and_leaves_it_as_it_was(tmp_path):
    # "[Musique]" at the start of a line of the description reads, to a line search, as a table.
    toml = 'title = "A"\ndescription = """\n[Musique] puis le générique\n"""\npublished = 2026-01-05\n'
    (tmp_path / "001-a").mkdir()
    path = tmp_path / "001-a" / "episode.toml"
    path.write_bytes(toml.encode("utf-8"))
    with pytest.raises(ConfigError) as error:
        approve(tmp_path, "001-a")
    assert str(error.value) == f"{path}: could not add approved = true safely; add it by hand before the first [table]"
    assert path.read_bytes() == toml.encode("utf-8")


def test_approve_refuses_invalid_toml_and_says_so(tmp_path):
    toml = 'title = "A\npublished = 2026-01-05\n'  # the title's quote is never closed
    (tmp_path / "001-a").mkdir()
    path = tmp_path / "001-a" / "episode.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        approve(tmp_path, "001-a")
    message = str(error.value)
    assert message.startswith(f"{path}: not valid TOML (") and message.endswith("); fix it, or add approved = true by hand")
    assert path.read_text(encoding="utf-8") == toml


def test_approve_names_the_missing_file_or_the_bad_slug(tmp_path):
    with pytest.raises(ConfigError) as error:
        approve(tmp_path, "002-absent")
    assert str(error.value) == f"{tmp_path / '002-absent' / 'episode.toml'}: no such file; is the slug right? ('podcast status' lists the episodes)"
    with pytest.raises(ConfigError) as error:
        approve(tmp_path, "Episode 2")
    assert str(error.value) == "'Episode 2' is not an episode's folder name ('podcast status' lists the episodes)"


@pytest.fixture
def ascii_locale():
    """A machine whose locale is not UTF-8 (a bare C locale; Windows has cp1252): what Python
    reads without an encoding is then not UTF-8."""
    previous = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, previous)


def test_approve_keeps_utf_8_whatever_the_machine_s_locale(tmp_path, ascii_locale):
    toml = 'title = "Inès — à l’écoute"\npublished = 2026-01-05\n'
    assert _approve(tmp_path, toml) == 'title = "Inès — à l’écoute"\npublished = 2026-01-05\napproved = true\n'


# transcript_figures: (seconds of words, seconds of them unsure, wordless stretches), kept in
# gate.json beside the transcript so that a build with nothing to do does not parse it again.

# Two segments, the second's words first: 5 words, 4 s of speech. Whisper's unsure passages, not
# in order: the 2nd, 3rd and 5th words inside (2.5 s), the 4th starting before its passage. No
# word for 65 s between 5 s and 70 s, and 68 s after the last.
WORDS = [
    [(70.0, 71.0, 0.5), (71.25, 72.0, 0.2)],
    [(2.0, 2.5, 0.9), (2.75, 3.5, 0.2), (4.0, 5.0, 0.3)],
]
UNSURE = (Passage(70.5, 72.0, " mot71.25"), Passage(2.75, 5.0, " mot2.75 mot4"))


def _heard(tmp_path: Path, words=WORDS, doubtful=UNSURE) -> Transcribed:
    segments = []
    for spans in words:
        said = tuple(Word(a, b, f" mot{a:g}", p) for a, b, p in spans)
        segments.append(Segment(said[0].start, said[-1].end, "".join(w.text for w in said), said))
    path = tmp_path / "transcript.json"
    path.write_text(get_writer("json").write(Transcript("fr", 140.0, tuple(segments))), encoding="utf-8")
    return Transcribed(path, len(segments), sum(map(len, words)), doubtful)


def test_the_figures_of_a_small_transcript(tmp_path):
    assert transcript_figures(_heard(tmp_path), 140.0) == (4.0, 2.5, [(5.0, 70.0), (72.0, 140.0)])


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, parsing a transcript fails the test."""
    monkeypatch.setattr(Transcript, "load", staticmethod(lambda path: pytest.fail(f"{path} parsed again")))


def test_the_figures_kept_by_a_build_spare_the_next_one_parsing_the_transcript(tmp_path, monkeypatch):
    heard = _heard(tmp_path)
    assert transcript_figures(heard, 140.0, HashCache(tmp_path / "hashes.json")) == (4.0, 2.5, [(5.0, 70.0), (72.0, 140.0)])
    assert (tmp_path / "gate.json").is_file()
    _no_parsing(monkeypatch)
    assert transcript_figures(heard, 140.0, HashCache(tmp_path / "hashes.json")) == (4.0, 2.5, [(5.0, 70.0), (72.0, 140.0)])


def test_the_figures_are_measured_again_when_the_duration_the_passages_or_the_transcript_change(tmp_path):
    hashes = HashCache(tmp_path / "hashes.json")
    transcript_figures(_heard(tmp_path), 140.0, hashes)
    assert transcript_figures(_heard(tmp_path), 200.0, hashes) == (4.0, 2.5, [(5.0, 70.0), (72.0, 200.0)])
    assert transcript_figures(_heard(tmp_path, doubtful=()), 200.0, hashes) == (4.0, 0.0, [(5.0, 70.0), (72.0, 200.0)])
    # The same file, words heard a minute later: a new content hash, and a stretch before the first.
    later = [[(a + 60.0, b + 60.0, p) for a, b, p in spans] for spans in WORDS]
    assert transcript_figures(_heard(tmp_path, later, ()), 200.0, HashCache(tmp_path / "hashes.json")) == (
        4.0,
        0.0,
        [(0.0, 62.0), (65.0, 130.0), (132.0, 200.0)],
    )


def test_figures_left_unreadable_are_measured_again(tmp_path):
    heard = _heard(tmp_path)
    for kept in ("", "null", "{}", '{"key": 1}', "[1, 2]"):
        (tmp_path / "gate.json").write_text(kept, encoding="utf-8")
        assert transcript_figures(heard, 140.0, HashCache(tmp_path / "hashes.json")) == (4.0, 2.5, [(5.0, 70.0), (72.0, 140.0)])


def test_the_figures_are_kept_under_the_transcript_s_content_hash_the_duration_and_the_passages(tmp_path):
    heard = _heard(tmp_path)
    transcript_figures(heard, 140.0, HashCache(tmp_path / "hashes.json"))
    assert json.loads((tmp_path / "gate.json").read_text(encoding="utf-8")) == {
        "key": {
            "version": 1,
            "transcript": hashlib.sha256(heard.transcript.read_bytes()).hexdigest(),
            "duration": 140.0,
            "doubtful": [[70.5, 72.0], [2.75, 5.0]],
            "wordless_seconds": 60.0,
        },
        "speech": 4.0,
        "unsure": 2.5,
        "wordless": [[5.0, 70.0], [72.0, 140.0]],
    }


# hold_reasons: the README's table ("The publish gate"), each reason as the host reads it.


def test_every_reason_is_listed_loudness_first_in_the_host_s_words(show_root, tmp_path):
    # 60 words of 0.5 s, the first 25 unsure (12.5 s of 30: 42 %), none from 29.5 s to 94.5 s.
    spans = [(float(i), i + 0.5) for i in range(30)] + [(94.5 + i, 95.0 + i) for i in range(30)]
    results = _results(tmp_path, spans, 124.0, -19.5, [Passage(0.0, 24.6, "x")])
    assert hold_reasons(load_show(show_root), _episode(show_root), results) == [
        "loudness -19.5 LUFS is 0.5 LU off the target -19 (tolerance ±0.5): listen to it",
        "42% of the speech is transcribed with low confidence (over 40%): check the transcript",
        "no words from 0:29 to 1:34 (65 s): listen to it",
    ]


def test_a_too_loud_episode_says_how_far_over_the_target_it_is(show_root, tmp_path):
    results = _results(tmp_path, EVERY_SECOND, 100.0, -18.4)
    assert hold_reasons(load_show(show_root), _episode(show_root), results) == [
        "loudness -18.4 LUFS is 0.6 LU off the target -19 (tolerance ±0.5): listen to it"
    ]


def test_the_gate_keeps_the_transcript_s_figures_for_the_next_build(show_root, tmp_path, monkeypatch):
    show, episode = load_show(show_root), _episode(show_root)
    spans = [s for s in EVERY_SECOND if not 20 <= s[0] < 85]
    reasons = ["no words from 0:19 to 1:25 (65 s): listen to it"]
    assert hold_reasons(show, episode, _results(tmp_path, spans, 100.0), HashCache(tmp_path / "hashes.json")) == reasons
    _no_parsing(monkeypatch)
    assert hold_reasons(show, episode, _results(tmp_path, spans, 100.0), HashCache(tmp_path / "hashes.json")) == reasons


# The feed linter's hold: "kept in .build/episodes/SLUG/feed-hold.json ... until its episode.toml,
# its notes, the show's settings or the tool's version change".

LINTED = ["the feed's podcast:person: href http://example.org/inès must use https:, not http:"]


@pytest.fixture
def linted(show_root, tmp_path):
    """A show, an episode and its results (notes included) as the linter saw them when tagged."""
    results = _results(tmp_path, EVERY_SECOND, 100.0)
    notes = tmp_path / "notes.html"
    notes.write_text("<p>Avec Inès.</p>", encoding="utf-8")
    results.add(Noted(notes, tmp_path / "notes.md"))
    return load_show(show_root), _episode(show_root), results


def test_the_linter_s_reasons_hold_the_episode_at_the_next_build_before_it_is_tagged(linted, tmp_path):
    show, episode, results = linted
    cache = tmp_path / "cache"
    tagged = Results()
    for result in results:
        tagged.add(result)
    tagged.add(Tagged(tmp_path / "a.mp3", 1000, None, None))  # saved once the build had tagged it
    save_feed_hold(cache, show, episode, tagged, LINTED, HashCache(tmp_path / "hashes.json"))
    assert feed_hold(cache, show, episode, results, HashCache(tmp_path / "hashes.json")) == LINTED
    assert "inès" in (cache / "feed-hold.json").read_text(encoding="utf-8")  # the README points hosts to it


def test_an_approved_episode_is_not_held_by_the_linter(linted, tmp_path):
    show, episode, results = linted
    hashes = HashCache(tmp_path / "hashes.json")
    save_feed_hold(tmp_path, show, episode, results, LINTED, hashes)
    assert feed_hold(tmp_path, show, _episode(show.root, approved=True), results, hashes) == []


def test_the_linter_judges_again_once_the_episode_its_notes_the_show_or_the_tool_change(linted, tmp_path):
    show, episode, results = linted
    hashes = HashCache(tmp_path / "hashes.json")
    save_feed_hold(tmp_path, show, episode, results, LINTED, hashes)
    assert feed_hold(tmp_path, show, replace(episode, title="A, corrigé"), results, hashes) == []
    assert feed_hold(tmp_path, replace(show, title="Autre émission"), episode, results, hashes) == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gate, "__version__", "99.0")
        assert feed_hold(tmp_path, show, episode, results, hashes) == []
    recorded_again = _results(tmp_path, EVERY_SECOND, 100.0, integrated=-19.2)  # a new recording: another MP3
    recorded_again.add(results[Noted])
    assert feed_hold(tmp_path, show, episode, recorded_again, hashes) == []
    assert feed_hold(tmp_path, show, episode, results, hashes) == LINTED
    results[Noted].notes.write_text("<p>Avec Inès Moreau.</p>", encoding="utf-8")
    assert feed_hold(tmp_path, show, episode, results, hashes) == []


def test_an_episode_without_notes_is_held_by_the_linter_too(show_root, tmp_path):
    show, episode, results = load_show(show_root), _episode(show_root), _results(tmp_path, EVERY_SECOND, 100.0)
    hashes = HashCache(tmp_path / "hashes.json")
    save_feed_hold(tmp_path, show, episode, results, LINTED, hashes)
    assert feed_hold(tmp_path, show, episode, results, hashes) == LINTED


def test_the_linter_s_reasons_are_read_back_whatever_the_machine_s_locale(linted, tmp_path, ascii_locale):
    show, episode, results = linted
    hashes = HashCache(tmp_path / "hashes.json")
    save_feed_hold(tmp_path, show, episode, results, LINTED, hashes)
    assert feed_hold(tmp_path, show, episode, results, hashes) == LINTED


def test_a_missing_or_unreadable_feed_hold_holds_nothing(linted, tmp_path):
    show, episode, results = linted
    hashes = HashCache(tmp_path / "hashes.json")
    assert feed_hold(tmp_path, show, episode, results, hashes) == []
    (tmp_path / "feed-hold.json").write_text('{"key": ', encoding="utf-8")
    assert feed_hold(tmp_path, show, episode, results, hashes) == []
