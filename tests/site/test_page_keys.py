"""What makes the site stage write an episode's page again (`_episode_keys`): each thing the page
is made of, changed alone, changes the page's key, and only the transcript (and the stage's
version) changes the transcript files' key. The episodes are test_build_feed's show, built once.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import load_show
from pipeline.jobs import Paths, Resources, ShowJob
from pipeline.results import Corrected, Noted, Published
from pipeline.stages.site import _episode_keys
from pipeline.text.people import profiles
from tests.feed.test_build_feed import built, with_result  # noqa: F401 (built: the module's fixture, a show built once)


def keys(root: Path, item: Published, version: int = 1, templates: dict[str, str] | None = None, people=None) -> dict[str, str]:
    show = load_show(root)
    job = ShowJob(show, [item], Paths(root), Resources())
    found = profiles(show, [item.episode]) if people is None else people
    return _episode_keys(job, item, found, version, templates if templates is not None else {"episode.html": "a"})


def copy_with(path: Path, tmp_path: Path, text: str) -> Path:
    changed = tmp_path / path.name
    changed.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return changed


@pytest.fixture
def episode(built):  # noqa: F811
    root, published = built
    return root, next(p for p in published if p.episode.slug == "001-portage")


def test_the_same_episode_has_the_same_keys(episode):
    root, item = episode
    first = keys(root, item)
    assert set(first) == {"page", "transcript"} and all(len(k) == 64 for k in first.values())  # SHA-256, hex
    assert keys(root, item) == first and first["page"] != first["transcript"]


def test_another_transcript_changes_both_keys(episode, tmp_path):
    root, item = episode
    before = keys(root, item)
    corrected = item.results[Corrected]
    after = keys(root, with_result(item, replace(corrected, transcript=copy_with(corrected.transcript, tmp_path, " "))))
    assert after["page"] != before["page"] and after["transcript"] != before["transcript"]


def test_other_notes_change_the_page_and_not_the_transcript_files(episode, tmp_path):
    root, item = episode
    before = keys(root, item)
    noted = item.results[Noted]
    after = keys(root, with_result(item, replace(noted, notes=copy_with(noted.notes, tmp_path, "<p>Merci.</p>"))))
    assert after["page"] != before["page"] and after["transcript"] == before["transcript"]


def test_another_stage_version_changes_both_keys(episode):
    root, item = episode
    before, after = keys(root, item, version=1), keys(root, item, version=2)
    assert after["page"] != before["page"] and after["transcript"] != before["transcript"]


def test_another_template_changes_the_page_and_not_the_transcript_files(episode):
    root, item = episode
    before, after = keys(root, item, templates={"episode.html": "a"}), keys(root, item, templates={"episode.html": "b"})
    assert after["page"] != before["page"] and after["transcript"] == before["transcript"]


def test_a_guest_s_page_moving_changes_the_page_that_links_to_it(episode):
    """The page links to its people's pages: a guest's slug becoming "ines-moreau-2" (another
    Inès Moreau came first) must render it again."""
    root, item = episode
    show = load_show(root)
    found = profiles(show, [item.episode])
    before = keys(root, item, people=found)
    moved = [replace(p, slug=p.slug + "-2") if p.person.name == "Inès Moreau" else p for p in found]
    after = keys(root, item, people=moved)
    assert after["page"] != before["page"] and after["transcript"] == before["transcript"]
    unknown = keys(root, item, people=[p for p in found if p.person.name != "Inès Moreau"])  # no page of hers
    assert unknown["page"] not in (before["page"], after["page"])


def test_a_title_change_changes_the_page_and_not_the_transcript_files(episode):
    root, item = episode
    before = keys(root, item)
    after = keys(root, Published(replace(item.episode, title="Le portage, autrement"), item.results))
    assert after["page"] != before["page"] and after["transcript"] == before["transcript"]
