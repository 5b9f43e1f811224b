"""The Podcasting 2.0 JSON chapters file (`chapters.json`) the feed points to with `podcast:chapters`."""

from __future__ import annotations

import json
from typing import Any

from ..records import Chapter

# github.com/Podcastindex-org/podcast-namespace/blob/main/docs/examples/chapters/jsonChapters.md,
# "Version 1.2"; its examples write the version as "1.2.0".
JSON_CHAPTERS_VERSION = "1.2.0"


def chapters_json(chapters: tuple[Chapter, ...]) -> str:
    """The Podcasting 2.0 JSON chapters file: `startTime` in seconds, `title`, `url` when given."""
    items = []
    for chapter in chapters:
        item: dict[str, Any] = {"startTime": chapter.start, "title": chapter.title}
        if chapter.url:
            item["url"] = chapter.url
        items.append(item)
    return json.dumps({"version": JSON_CHAPTERS_VERSION, "chapters": items}, ensure_ascii=False, indent=1) + "\n"
