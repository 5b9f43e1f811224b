"""`podcast new` piece by piece: the folder's number and name, the time written, the file as the
template has it."""

from __future__ import annotations

import os
import shutil
import tomllib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.errors import ConfigError
from pipeline.host.scaffold import is_placeholder, new_episode, new_show, placeholder_artwork, toml_string

PARIS = ZoneInfo("Europe/Paris")


def test_the_first_episode_of_a_show_is_001(show_root):
    assert new_episode(show_root, "Premier", []).name == "001-premier"


def test_a_show_without_its_episodes_folder_gets_one(show_root):
    shutil.rmtree(show_root / "episodes")
    assert (new_episode(show_root, "Premier", []) / "episode.toml").is_file()


def test_a_long_title_is_cut_to_60_characters_at_a_word(show_root):
    title = "Le portage salarial expliqué à ceux qui hésitent encore à quitter leur CDI pour de bon"
    folder = new_episode(show_root, title, [])
    # 60 characters end inside "quitter": the name stops at the word before it.
    assert folder.name == "001-le-portage-salarial-explique-a-ceux-qui-hesitent-encore-a"


def test_the_publication_time_is_to_the_second_with_its_offset_and_the_file_ends_its_last_line(show_root):
    now = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=PARIS)
    text = (new_episode(show_root, "Premier", [], now=now) / "episode.toml").read_text(encoding="utf-8")
    assert "\npublished = 2026-03-02T09:30:15+01:00\n" in text
    assert text.endswith('# veto = ["a sentence never to quote"]\n')


@pytest.mark.parametrize("text", ['Chloé "Clo" Martin', "C:\\Users\\clo", "deux\nlignes\tet\rplus\bencore\fenfin", "sonnette\x07"])
def test_a_name_written_into_toml_reads_back_the_same(text):
    assert tomllib.loads(f"name = {toml_string(text)}")["name"] == text


def test_accents_stay_readable_in_the_toml():
    assert toml_string('Chloé "Clo" Martin') == '"Chloé \\"Clo\\" Martin"'


def test_control_characters_take_toml_s_short_escapes_and_others_their_code():
    # TOML 1.0, basic strings: \b \t \n \f \r \" \\ have short forms; other controls \uXXXX.
    assert toml_string("deux\nlignes\tet\rplus\bencore\fenfin\x07") == '"deux\\nlignes\\tet\\rplus\\bencore\\fenfin\\u0007"'


def test_a_folder_made_meanwhile_is_not_written_over(show_root, monkeypatch):
    """Two `podcast new` at once count the same next number: the second refuses, the first's
    episode.toml is left as it was."""
    from pipeline.host import scaffold

    folder = new_episode(show_root, "Premier", [], now=datetime(2026, 3, 2, 9, 30, tzinfo=PARIS))
    written = (folder / "episode.toml").read_bytes()
    monkeypatch.setattr(scaffold, "next_number", lambda episodes: 1)
    with pytest.raises(ConfigError) as refused:
        new_episode(show_root, "Premier", [], now=datetime(2026, 3, 2, 9, 31, tzinfo=PARIS))
    assert str(refused.value) == f"{folder} already exists" and (folder / "episode.toml").read_bytes() == written


def test_an_artwork_of_the_placeholders_size_and_time_with_other_bytes_is_the_hosts(tmp_path):
    placeholder = placeholder_artwork()
    artwork = tmp_path / "artwork.png"
    data = bytearray(placeholder.read_bytes())
    data[-20] ^= 0xFF  # one byte changed, the size kept
    artwork.write_bytes(bytes(data))
    stat = placeholder.stat()
    os.utime(artwork, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not is_placeholder(artwork)
    shutil.copyfile(placeholder, artwork)
    assert is_placeholder(artwork)


def test_a_new_show_refuses_a_folder_holding_one_and_names_each(tmp_path):
    (tmp_path / "episodes").mkdir()
    (tmp_path / "podcast.toml").write_text("")
    with pytest.raises(ConfigError) as caught:
        new_show(tmp_path)
    assert str(caught.value) == f"{tmp_path.resolve()} already holds podcast.toml, episodes: a new show needs a folder without them"


def test_a_new_shows_podcast_toml_ends_its_last_line(tmp_path):
    assert new_show(tmp_path / "show").read_text(encoding="utf-8").endswith("\n")
