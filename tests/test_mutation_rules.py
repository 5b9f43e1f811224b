"""The survivors `make mutation` counts as equivalent, out of the score (bench/mutation.py): a rule
too wide would raise the score with mutants a test could kill, so each is pinned on diffs as mutmut
writes them, including the ones next to a rule that must stay survivors."""

from __future__ import annotations

import pytest

from bench.mutation import CASE, FALSY, FINGERPRINT, LOCALE, equivalent


def diff(old: str, new: str) -> str:
    return f"--- pipeline/stages/tag.py\n+++ pipeline/stages/tag.py\n@@ -2,7 +2,7 @@\n     return {{\n-{old}\n+{new}\n     }}\n"


SETTINGS = "pipeline.stages.tag.xǁTagǁsettings__mutmut_10"
PAGE_KEYS = "pipeline.stages.site.x__episode_keys__mutmut_54"
RUN = "pipeline.stages.tag.xǁTagǁrun__mutmut_25"


@pytest.mark.parametrize(
    "name, old, new",
    [
        (SETTINGS, '        "id3": show.audio.id3_version,', '        "XXid3XX": show.audio.id3_version,'),
        (SETTINGS, '        "id3": show.audio.id3_version,', '        "ID3": show.audio.id3_version,'),
        (SETTINGS, '        "show": {"title": show.title, "author": a},', '        "show": {"title": show.title, "AUTHOR": a},'),
        # A settings' dict is returned, and hashed as it is.
        (
            "pipeline.stages.corrections.xǁCorrectǁsettings__mutmut_8",
            '    return {"people": p, "edge_reach": E}',
            '    return {"people": p, "XXedge_reachXX": E}',
        ),
        ("pipeline.host.gate.x_item_key__mutmut_3", '        "version": __version__,', '        "VERSION": __version__,'),
        (PAGE_KEYS, '        "slugs": slugs,', '        "XXslugsXX": slugs,'),
    ],
)
def test_a_key_renamed_in_a_dict_only_hashed_is_equivalent(name, old, new):
    assert equivalent(name, diff(old, new)) == FINGERPRINT


@pytest.mark.parametrize(
    "name, old, new",
    [
        # The value, not the key: the fingerprint no longer follows the setting.
        (SETTINGS, '        "id3": show.audio.id3_version,', '        "id3": None,'),
        (SETTINGS, '        "chapters": [c.to_dict() for c in chapters],', '        "chapters": [c.to_dict() for c in None],'),
        # A key of a dict the code reads back, outside the hashed functions.
        (RUN, '    files = {"mp3": a, "m4a": b}', '    files = {"mp3": a, "XXm4aXX": b}'),
        # The keys `_episode_keys` returns are read by the site stage; its return line is left to
        # a reader whole, the hashed dict inside it too.
        (PAGE_KEYS, '    return {"page": d(page), "transcript": d(t)}', '    return {"PAGE": d(page), "transcript": d(t)}'),
        (
            PAGE_KEYS,
            '    return {"page": d(page), "transcript": d({"version": v, "transcript": t})}',
            '    return {"page": d(page), "transcript": d({"version": v, "TRANSCRIPT": t})}',
        ),
        # Two lines changed.
        (SETTINGS, '        "id3": x,\n-        "feed": y,', '        "ID3": x,\n+        "FEED": y,'),
    ],
)
def test_what_a_test_can_tell_stays_a_survivor(name, old, new):
    assert equivalent(name, diff(old, new)) is None


@pytest.mark.parametrize(
    "old, new",
    [
        ('    text = path.read_text(encoding="utf-8")', '    text = path.read_text(encoding="UTF-8")'),
        ('        "mutagen": package_version("mutagen"),', '        "mutagen": package_version("MUTAGEN"),'),
        ('    self.looked = float("-inf")', '    self.looked = float("-INF")'),
        ('        self.send_header("Accept-Ranges", "bytes")', '        self.send_header("accept-ranges", "bytes")'),
        ('        self.send_header("Accept-Ranges", "bytes")', '        self.send_header("ACCEPT-RANGES", "bytes")'),
        ('    if self.command == "GET" and "Range" not in self.headers:', '    if self.command == "GET" and "RANGE" not in self.headers:'),
        ('    wanted = self.headers.get("Range")', '    wanted = self.headers.get("range")'),
    ],
)
def test_a_name_read_without_its_case_changed_in_case_is_equivalent(old, new):
    assert equivalent(RUN, diff(old, new)) == CASE


@pytest.mark.parametrize(
    "old, new",
    [
        ('    text = path.read_text(encoding="utf-8")', '    text = path.read_text(encoding="XXutf-8XX")'),
        ('        self.send_header("Accept-Ranges", "bytes")', '        self.send_header("Accept-Ranges", "BYTES")'),
        ('        self.send_header("Content-Type", "text/html")', '        self.send_header("XXContent-TypeXX", "text/html")'),
        ('    if self.command == "GET" and "Range" not in self.headers:', '    if self.command == "get" and "Range" not in self.headers:'),
        ('    write(out["m4a"], show)', '    write(out["M4A"], show)'),
        ('    wanted = self.headers.get("Range")', '    wanted = self.headers.get("XXRangeXX")'),
        ('    wanted = self.params.get("Range")', '    wanted = self.params.get("range")'),  # not http.server's headers
    ],
)
def test_other_changes_of_case_or_name_stay_survivors(old, new):
    assert equivalent(RUN, diff(old, new)) is None


@pytest.mark.parametrize(
    "new",
    [
        '    out.write_text(render(env, "notes.html"), encoding=None)',
        '    out.write_text(render(env, "notes.html"), )',
    ],
)
def test_utf_8_given_as_the_locale_s_encoding_is_equivalent_where_the_locale_is_utf_8(new):
    assert equivalent(RUN, diff('    out.write_text(render(env, "notes.html"), encoding="utf-8")', new)) == LOCALE


@pytest.mark.parametrize(
    "new",
    [
        '    out.write_text(render(env, "notes.html"), encoding="latin-1")',
        '    out.write_text(render(env, "notes.md"), encoding="utf-8")',
        '    out.write_text(None, encoding="utf-8")',
    ],
)
def test_another_encoding_or_text_stays_a_survivor(new):
    assert equivalent(RUN, diff('    out.write_text(render(env, "notes.html"), encoding="utf-8")', new)) is None


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("    click.echo(line, nl=False, err=True)", "    click.echo(line, nl=None, err=True)", FALSY),
        ("    wrap(text, 42, break_long_words=False, break_on_hyphens=False)", "    wrap(text, 42, break_long_words=None, break_on_hyphens=False)", FALSY),
        ("    click.echo(line, nl=False, err=True)", "    click.echo(line, nl=True, err=True)", None),  # a line ended
        ("    click.echo(line, nl=False, err=False)", "    click.echo(line, nl=False, err=None)", None),  # not a keyword of the list
        ("    json.dumps(data, ensure_ascii=False)", "    json.dumps(data, ensure_ascii=None, indent=2)", None),  # more than that
    ],
)
def test_false_given_as_none_to_a_truth_test(old, new, kind):
    assert equivalent(RUN, diff(old, new)) == kind


def test_near_tests_are_the_module_s_own_then_its_package_s_in_their_order():
    from bench.mutation import near_tests

    tests = [
        "tests/test_build.py::test_a",
        "tests/feed/test_feed.py::test_b",
        "tests/feed/test_rss.py::test_c",
        "tests/site/test_site.py::test_d",
        "tests/feed/test_lint.py::test_e",
    ]
    assert near_tests("pipeline.feed.rss.x_build_feed", tests) == [
        "tests/feed/test_rss.py::test_c",
        "tests/feed/test_feed.py::test_b",
        "tests/feed/test_lint.py::test_e",
    ]
    assert near_tests("pipeline.stages.site.xǁSiteǁrun__mutmut_3", tests) == ["tests/site/test_site.py::test_d"]
    assert near_tests("pipeline.build.x__build", tests) == ["tests/test_build.py::test_a"]
