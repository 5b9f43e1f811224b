"""Apple Podcasts' categories, as `podcast.toml` names them."""

from __future__ import annotations

import pytest

from pipeline.feed.apple import parse_category


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("Business > Careers", ("Business", "Careers")),
        ("  Society & Culture  >  Documentary ", ("Society & Culture", "Documentary")),
        ("Technology", ("Technology",)),
    ],
)
def test_categories_on_apples_list(text, parsed):
    assert parse_category(text) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Affaires", "'Affaires' is not an Apple Podcasts category (see README for the list)"),
        ("Business > Careers > Freelance", "'Business > Careers > Freelance' is not an Apple Podcasts category (see README for the list)"),
        (
            "Business > Carrières",
            "'Carrières' is not a subcategory of 'Business' (choose from: Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit)",
        ),
        ("Technology > Podcasting", "'Podcasting' is not a subcategory of 'Technology' (choose from: none)"),
    ],
)
def test_categories_off_the_list_are_explained(text, message):
    with pytest.raises(ValueError) as error:
        parse_category(text)
    assert str(error.value) == message
