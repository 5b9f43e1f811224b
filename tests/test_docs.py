"""The map checks itself: docs/ARCHITECTURE.md names every module, stage and layer as the code
has them, and the README every command and stage a host can name (as sqlite-utils' docs tests do)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipeline.build import EPISODE_STAGES, SHOW_STAGES
from pipeline.cli import cli
from tests.conftest import REPO

ARCHITECTURE = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")
PACKAGE = REPO / "pipeline"


def modules() -> list[str]:
    """Every module of the package, as the map names them: `cli`, `audio/ffmpeg`, `stages/tag`."""
    found = [p.stem for p in PACKAGE.glob("*.py")]
    found += [f"{p.parent.name}/{p.stem}" for p in PACKAGE.glob("*/*.py") if p.parent.name not in ("templates", "assets")]
    return sorted(m for m in found if m != "stages/__init__")


def section(text: str, title: str) -> str:
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def layers() -> dict[str, int]:
    """Each module's layer, from the numbered list of docs/ARCHITECTURE.md's "Layers"."""
    found = {}
    for number, body in re.findall(r"^(\d)\. (.*?)(?=^\d\. |\Z)", section(ARCHITECTURE, "Layers"), re.M | re.S):
        for name in re.findall(r"`([\w/]+)`", body):
            found[name] = int(number)
    return found


@pytest.mark.parametrize("module", modules())
def test_every_module_has_its_line_on_the_map(module):
    assert re.search(rf"^\| `{re.escape(module)}` \| .+ \|$", section(ARCHITECTURE, "Modules"), re.M), module


def test_the_map_names_no_module_that_is_gone():
    listed = re.findall(r"^\| `([\w/]+)` \|", section(ARCHITECTURE, "Modules"), re.M)
    assert sorted(listed) == modules()


def test_every_stage_is_on_the_map_and_in_the_readme():
    path = section(ARCHITECTURE, "An episode's path")
    only = re.search(r"`--only ([\w\\|]+)`", README).group(1).split("\\|")
    for stage in (*EPISODE_STAGES, *SHOW_STAGES):
        assert f"`{stage.name}`" in path, stage.name
        assert f"| `stages/{type(stage).__module__.rsplit('.', 1)[1]}` | stage `{stage.name}`:" in ARCHITECTURE, stage.name
    assert only == [stage.name for stage in (*EPISODE_STAGES, *SHOW_STAGES)]


def test_every_command_is_in_the_readme():
    commands = section(README, "Commands")
    for name in cli.commands:
        assert re.search(rf"^\| `podcast {name}\b", commands, re.M), name


def imports(path: Path) -> set[str]:
    """The package's modules a module imports, named as on the map (`audio/ffmpeg`)."""
    here = path.relative_to(PACKAGE).with_suffix("").parts  # ("audio", "ffmpeg") or ("cli",)
    known = set(modules())
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = list(here[:-1])[: len(here) - node.level] + [p for p in (node.module or "").split(".") if p]
        for alias in node.names:
            for name in ("/".join([*base, alias.name]), "/".join(base)):  # a module, or a name in one
                if name in known or name in ("stages", *{m.split("/")[0] for m in known if "/" in m}):
                    found.add(name)
                    break
    return found


def test_no_module_imports_from_a_layer_above_its_own():
    """The layers of docs/ARCHITECTURE.md, enforced: a lower layer never reaches up."""
    layer = layers()
    stages = {m: 4 for m in modules() if m.startswith("stages/")}
    packages = {m.split("/")[0]: 1 for m in modules() if "/" in m}  # `from .. import text`: its __init__
    layer = {**stages, **layer, **packages, "stages": 4}
    unplaced = [m for m in modules() if m not in layer]
    assert unplaced == [], f"modules in no layer of docs/ARCHITECTURE.md: {unplaced}"
    upward = []
    for module in modules():
        path = PACKAGE / f"{module}.py"
        for target in imports(path):
            if target in layer and layer[target] > layer[module]:
                upward.append(f"{module} (layer {layer[module]}) imports {target} (layer {layer[target]})")
    assert upward == []
