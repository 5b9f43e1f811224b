"""What the Podcasting 2.0 namespace allows, copied as data from its documentation.

Source: github.com/Podcastindex-org/podcast-namespace (the pages behind
podcastindex.org/namespace/1.0), read at commit c0ff5caa3729610362ee93f8034454fa41f3c493
(2026-05-13). `feed/podcast_rules.py` checks a feed against it; update the lists from there, not by hand.
"""

from __future__ import annotations

# taxonomy.json (last changed in f593c5da, 2024-09-07): the Podcast Taxonomy Project's groups and
# their roles, which <podcast:person role="" group=""> refer to, case-insensitively (docs/tags/person.md).
PERSON_ROLES: dict[str, tuple[str, ...]] = {
    "Creative Direction": (
        "Director",
        "Assistant Director",
        "Executive Producer",
        "Senior Producer",
        "Producer",
        "Associate Producer",
        "Development Producer",
        "Creative Director",
    ),
    "Cast": ("Host", "Co-Host", "Guest Host", "Guest", "Voice Actor", "Narrator", "Announcer", "Reporter"),
    "Writing": (
        "Author",
        "Editorial Director",
        "Co-Writer",
        "Writer",
        "Songwriter",
        "Guest Writer",
        "Story Editor",
        "Managing Editor",
        "Script Editor",
        "Script Coordinator",
        "Researcher",
        "Editor",
        "Fact Checker",
        "Translator",
        "Transcriber",
        "Logger",
    ),
    "Audio Production": (
        "Studio Coordinator",
        "Technical Director",
        "Technical Manager",
        "Audio Engineer",
        "Remote Recording Engineer",
        "Post Production Engineer",
    ),
    "Audio Post-Production": (
        "Audio Editor",
        "Sound Designer",
        "Foley Artist",
        "Composer",
        "Theme Music",
        "Music Production",
        "Music Contributor",
    ),
    "Administration": (
        "Production Coordinator",
        "Booking Coordinator",
        "Production Assistant",
        "Content Manager",
        "Marketing Manager",
        "Sales Representative",
        "Sales Manager",
    ),
    "Visuals": ("Graphic Designer", "Cover Art Designer"),
    "Community": ("Social Media Manager",),
    "Misc.": ("Consultant", "Intern"),
    "Video Production": ("Camera Operator", "Lighting Designer", "Camera Grip", "Assistant Camera"),
    "Video Post-Production": ("Editor", "Assistant Editor"),
}

# docs/examples/license/licenses.json: the well-known licenses a <podcast:license> may name
# without a url attribute; any other (custom) license must give its url (docs/tags/license.md).
LICENSES = ("ARR", "CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-NC-ND-4.0", "POD-V4V-1.0")

# docs/tags/medium.md: the mediums, each with its "list" variant ending in "L", and "mixed".
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher", "course")
MEDIUM_VALUES = frozenset(MEDIUMS + tuple(m + "L" for m in MEDIUMS) + ("mixed",))

# docs/tags/transcript.md names these types; docs/examples/transcripts/transcripts.md their formats.
TRANSCRIPT_TYPES = ("text/plain", "text/html", "text/vtt", "application/json", "application/x-subrip")

# docs/tags/chapters.md: "JSON preferred, 'application/json+chapters'"; the format is
# docs/examples/chapters/jsonChapters.md.
CHAPTERS_TYPE = "application/json+chapters"

# "Please do not exceed 128 characters ... or it may be truncated by aggregators", on the node
# values of funding, license, person and soundbite, and the name attribute of season.
TEXT_LIMIT = 128
EPISODE_DISPLAY_LIMIT = 32  # docs/tags/episode.md, the display attribute
SOUNDBITE_SECONDS = (15.0, 120.0)  # docs/tags/soundbite.md: duration "recommended between 15 and 120 seconds"
