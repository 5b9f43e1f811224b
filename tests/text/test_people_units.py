"""People's profiles across episodes (pipeline/text/people.py), on small hand-made shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.config import load_show
from pipeline.records import Episode, Person
from pipeline.text.people import by_name, profiles
from tests.conftest import new_show


@pytest.fixture
def show(tmp_path):
    """tests/conftest.py's show: its one host is Camille Durand."""
    return load_show(new_show(tmp_path / "show"))


def episode(slug: str, day: int, *guests: Person, number: int | None = None) -> Episode:
    return Episode(slug, Path("."), slug, datetime(2026, 1, day, tzinfo=timezone.utc), (), number=number, guests=guests)


def test_a_host_is_in_every_episode_newest_first(show):
    found = profiles(show, [episode("001-a", 5), episode("003-c", 19), episode("002-b", 12)])
    assert [(p.slug, p.host, p.episodes) for p in found] == [("camille-durand", True, ("003-c", "002-b", "001-a"))]


def test_a_guest_is_in_the_episodes_that_list_them_newest_first_and_is_no_host(show):
    ines = Person("Inès Moreau")
    found = profiles(show, [episode("001-a", 5, ines), episode("002-b", 12), episode("003-c", 19, ines)])
    assert [(p.slug, p.host, p.episodes) for p in found] == [
        ("camille-durand", True, ("003-c", "002-b", "001-a")),
        ("ines-moreau", False, ("003-c", "001-a")),
    ]


def test_a_guest_listed_twice_in_one_episode_has_it_once(show):
    ines = Person("Inès Moreau")
    found = profiles(show, [episode("001-a", 5, ines, Person("inès  MOREAU"))])
    assert [(p.slug, p.episodes) for p in found] == [("camille-durand", ("001-a",)), ("ines-moreau", ("001-a",))]


def test_episodes_on_the_same_day_are_newest_by_number_then_by_slug(show):
    same_day = [
        episode("b-bonus", 5),  # no number: before any numbered one of the day
        episode("a-first", 5, number=1),
        episode("c-second", 5, number=2),
        episode("d-extra", 5),
    ]
    assert profiles(show, same_day)[0].episodes == ("c-second", "a-first", "d-extra", "b-bonus")


def test_hosts_come_first_then_guests_in_the_order_they_first_came(show):
    zoe, alice, bruno = Person("Zoé Zimmer"), Person("Alice Aubert"), Person("Bruno Blanc")
    found = profiles(show, [episode("002-b", 12, alice, zoe), episode("001-a", 5, zoe, bruno)])
    assert [p.slug for p in found] == ["camille-durand", "zoe-zimmer", "bruno-blanc", "alice-aubert"]


def test_a_returning_guest_keeps_the_newest_values_and_fills_the_rest_from_older_episodes(show):
    old = Person("Inès Moreau", role="Développeuse", bio="À Lyon.")
    new = Person("Inès Moreau", role="Consultante", url="https://ines.example.org")
    (ines,) = [p for p in profiles(show, [episode("002-b", 12, new), episode("001-a", 5, old)]) if not p.host]
    assert ines.person == Person("Inès Moreau", role="Consultante", url="https://ines.example.org", bio="À Lyon.")


def test_a_host_listed_twice_is_one_person_with_both_entries(show):
    hosts = (Person("Camille Durand", role="Animatrice"), Person("camille durand", bio="Fondatrice."))
    found = profiles(replace(show, hosts=hosts), [])
    assert [(p.slug, p.person, p.host) for p in found] == [("camille-durand", Person("Camille Durand", role="Animatrice", bio="Fondatrice."), True)]


def test_a_host_who_is_also_a_guest_keeps_the_hosts_values(show):
    guest = Person("Camille Durand", role="Invitée", bio="Une bio.")
    (camille,) = profiles(replace(show, hosts=(Person("Camille Durand", role="Animatrice"),)), [episode("001-a", 5, guest)])
    assert (camille.person, camille.host, camille.episodes) == (Person("Camille Durand", role="Animatrice", bio="Une bio."), True, ("001-a",))


def test_names_that_slug_alike_get_numbered_slugs_in_order_of_first_appearance(show):
    found = profiles(show, [episode("002-b", 12, Person("Inés Moreau")), episode("001-a", 5, Person("Inès Moreau"), Person("Ines Moreau"))])
    assert [(p.slug, p.person.name) for p in found] == [
        ("camille-durand", "Camille Durand"),
        ("ines-moreau", "Inès Moreau"),
        ("ines-moreau-2", "Ines Moreau"),
        ("ines-moreau-3", "Inés Moreau"),
    ]


def test_a_name_without_letters_gets_the_slug_personne(show):
    assert [p.slug for p in profiles(show, [episode("001-a", 5, Person("???"))])] == ["camille-durand", "personne"]


def test_by_name_finds_a_person_whatever_the_case_and_spaces(show):
    find = by_name(profiles(show, [episode("001-a", 5, Person("Inès Moreau"))]))
    assert find("  INÈS   moreau ").slug == "ines-moreau"
    assert find("Inès") is None
