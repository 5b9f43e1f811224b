"""Apple Podcasts' rules, to the letter of Apple's pages."""

from __future__ import annotations

import pytest

from pipeline.feed.apple import parse_category

# Apple's "Podcasts categories" support page (the 2019 list), copied by hand.
APPLE = {
    "Arts": ["Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"],
    "Business": ["Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"],
    "Comedy": ["Comedy Interviews", "Improv", "Stand-Up"],
    "Education": ["Courses", "How To", "Language Learning", "Self-Improvement"],
    "Fiction": ["Comedy Fiction", "Drama", "Science Fiction"],
    "Government": [],
    "History": [],
    "Health & Fitness": ["Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"],
    "Kids & Family": ["Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"],
    "Leisure": ["Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden", "Video Games"],
    "Music": ["Music Commentary", "Music History", "Music Interviews"],
    "News": ["Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News", "Tech News"],
    "Religion & Spirituality": ["Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality"],
    "Science": [
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ],
    "Society & Culture": ["Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"],
    "Sports": [
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ],
    "Technology": [],
    "True Crime": [],
    "TV & Film": ["After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"],
}


@pytest.mark.parametrize("category", list(APPLE))
def test_every_apple_category_is_accepted_and_lists_its_subcategories(category):
    assert parse_category(category) == (category,)
    for sub in APPLE[category]:
        assert parse_category(f"{category} > {sub}") == (category, sub)
    # The message for a wrong subcategory lists Apple's, in Apple's order.
    with pytest.raises(ValueError) as error:
        parse_category(f"{category} > Podcasting")
    assert str(error.value).endswith(f"(choose from: {', '.join(APPLE[category]) or 'none'})")


def test_a_category_is_matched_to_the_letter():
    with pytest.raises(ValueError, match="'technology' is not an Apple Podcasts category"):
        parse_category("technology")
