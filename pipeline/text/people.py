"""Everyone the show has heard: its hosts and every published episode's guests, one profile each.

A guest who comes back is one person: profiles are merged by name, the first value given for
each field kept (the hosts' own, then the most recent episode's). Each gets a slug for their
page, stable as long as their name is, and never the same as another's.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Callable

from slugify import slugify

from ..records import Episode, Person, Show


@dataclass(frozen=True)
class Profile:
    """A person's page: who they are, whether they host, and the slugs of the episodes they are in
    (a host's: every one)."""

    slug: str
    person: Person
    host: bool
    episodes: tuple[str, ...]  # newest first


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _merged(first: Person, other: Person) -> Person:
    """`first` with its empty fields filled from `other`."""
    return replace(first, **{f.name: getattr(other, f.name) for f in fields(Person) if not getattr(first, f.name)})


def profiles(show: Show, episodes: list[Episode]) -> list[Profile]:
    """Hosts first, then guests in the order they first came on the show.

    Args:
        episodes: the published episodes, in any order.
    """
    newest = sorted(episodes, key=lambda e: (e.published, e.number or 0, e.slug), reverse=True)
    people: dict[str, Person] = {}
    hosts: set[str] = set()
    appearances: dict[str, list[str]] = {}
    for host in show.hosts:
        people[_key(host.name)] = _merged(people.get(_key(host.name), host), host)
        hosts.add(_key(host.name))
    for key in hosts:  # a host is in every episode
        appearances[key] = [e.slug for e in newest]
    for episode in newest:
        for guest in episode.guests:
            key = _key(guest.name)
            people[key] = _merged(people[key], guest) if key in people else guest
            if episode.slug not in appearances.setdefault(key, []):
                appearances[key].append(episode.slug)
    # Slugs are handed out in order of first appearance (hosts, then the oldest episode's
    # guests first): someone new can never take the address of someone already published.
    first_seen = {key: i for i, key in enumerate(dict.fromkeys(_key(h.name) for h in show.hosts))}
    for episode in reversed(newest):
        for guest in episode.guests:
            first_seen.setdefault(_key(guest.name), len(first_seen))
    taken: set[str] = set()
    found = []
    for key in sorted(people, key=lambda k: first_seen[k]):
        base = slugify(people[key].name) or "personne"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        found.append(Profile(slug, people[key], key in hosts, tuple(appearances.get(key, ()))))
    return found


def by_name(found: list[Profile]) -> Callable[[str], Profile | None]:
    """The profile of a person's name as any episode writes it (case and spaces aside), else None."""
    named = {_key(p.person.name): p for p in found}
    return lambda name: named.get(_key(name))
