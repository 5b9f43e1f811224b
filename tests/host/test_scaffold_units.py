"""`podcast new` piece by piece: the folder's number and name, the time written, the file as the
template has it."""

from __future__ import annotations

import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.host.scaffold import new_episode

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
