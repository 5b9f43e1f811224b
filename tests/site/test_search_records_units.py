"""What the site's search indexes (pipeline/site/search_records.py): each record's metadata, and
the language the index is stemmed in."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.config import load_show
from pipeline.records import Person
from pipeline.site.search_records import index_language, search_records
from tests.conftest import new_show
from tests.site.test_search import plain, published


@pytest.fixture
def show(tmp_path):
    return load_show(new_show(tmp_path / "show"))


@pytest.mark.parametrize("language, code", [("fr", "fr"), ("fr-FR", "fr"), ("FR-ca", "fr"), ("en-GB", "en")])
def test_the_index_is_stemmed_in_the_shows_language_code_lower_cased(show, language, code):
    assert index_language(replace(show, language=language)) == code


def test_an_episodes_notes_record_has_its_title(show, tmp_path):
    records = search_records(show, [published(tmp_path, "001-portage", "Le portage salarial")], plain)
    notes = [r for r in records if r.meta["kind"] == "notes"]
    assert [(r.url, r.meta) for r in notes] == [("episodes/001-portage/", {"kind": "notes", "title": "Le portage salarial"})]


def test_a_person_without_a_role_has_no_role_in_the_record(show, tmp_path):
    guests = (Person("Inès Moreau", role="Développeuse freelance"), Person("Paul Martin"))
    records = search_records(show, [published(tmp_path, "001-portage", "Le portage salarial", guests)], plain)
    people = [(r.url, r.content, r.meta) for r in records if r.meta["kind"] == "person"]
    assert people == [
        ("people/camille-durand/", "Camille Durand", {"kind": "person", "title": "Camille Durand"}),
        ("people/ines-moreau/", "Inès Moreau Développeuse freelance", {"kind": "person", "title": "Inès Moreau", "role": "Développeuse freelance"}),
        ("people/paul-martin/", "Paul Martin", {"kind": "person", "title": "Paul Martin"}),
    ]
