"""The bundled show's feed, byte for byte: any change to what apps read shows up here as a diff.

Built from a copy of the show with the recorded transcript (tests/golden.py). When a change to
the feed is meant, `make golden` rewrites tests/data/golden/feed.xml; commit the diff with it.
"""

from __future__ import annotations

import difflib

from tests.golden import FEED, build_replayed, copy_show


def test_bundled_feed_is_the_golden_one(tmp_path):
    built = build_replayed(copy_show(tmp_path / "show")).decode("utf-8")
    golden = FEED.read_text(encoding="utf-8")
    diff = "".join(difflib.unified_diff(golden.splitlines(True), built.splitlines(True), "golden feed.xml", "built feed.xml"))
    assert not diff, f"the feed changed; if that is meant, run `make golden` and commit the diff:\n{diff}"
