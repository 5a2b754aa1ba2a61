"""The Node.js version a newcomer is told to install is the one the frontend's toolchain runs on.

frontend/.npmrc sets engine-strict, so `npm ci` refuses a Node that any locked package's
`engines.node` excludes. package.json's own range says exactly which Nodes that leaves, README
says the same, and the nginx image builds the frontend on one of them.
"""

import json
import re
from functools import cache
from itertools import product
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[3]
FRONTEND_DIR = REPO_DIR / "frontend"
# Node releases to judge the ranges on: every minor of the majors anyone may have, and a patch
# to meet the ranges' own patch bounds (>=20.18.1).
NODE_VERSIONS = list(product(range(18, 31), range(0, 41), range(0, 2)))

Version = tuple[int, int, int]


def admits(npm_range: str, version: Version) -> bool:
    """node-semver's satisfies(), for the forms engines fields use: a || b, space-separated
    comparators (>=, >, <=, <, =, ^, ~), bare or partial versions (20, 20.19), and *."""
    return any(
        all(_comparator_admits(operator, parts, version) for operator, parts in alternative)
        for alternative in _parse_range(npm_range)
    )


Comparator = tuple[str, tuple[int, ...]]


@cache
def _parse_range(npm_range: str) -> list[list[Comparator]]:
    # ">= 18" is one comparator: join an operator to the version after it.
    joined = re.sub(r"([<>=^~]+)\s+", r"\1", npm_range)
    return [[_parse(word) for word in alternative.split()] for alternative in joined.split("||")]


def _parse(comparator: str) -> Comparator:
    """(operator, the version's given parts); ("", ()) admits any version."""
    match = re.fullmatch(
        r"([<>]=?|=|\^|~)?v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?", comparator
    )
    if comparator == "*" or (match and match[2] in ("x", "*")):
        return "", ()
    assert match, f"an engines range this test cannot read: {comparator!r}"
    return match[1] or "", tuple(
        int(part) for part in match.groups()[1:] if part and part not in "x*"
    )


def _comparator_admits(operator: str, parts: tuple[int, ...], version: Version) -> bool:
    low = (*parts, *[0] * (3 - len(parts)))
    if operator in ("", "="):
        return version[: len(parts)] == parts
    if operator == "^":
        # Up to the next change of the first non-zero part.
        significant = next((i for i, part in enumerate(parts) if part), len(parts) - 1)
        return low <= version and version[: significant + 1] == parts[: significant + 1]
    if operator == "~":
        kept = 2 if len(parts) > 1 else 1
        return low <= version and version[:kept] == parts[:kept]
    if operator == ">=":
        return version >= low
    if operator == ">":
        return version > low
    if operator == "<=":
        return version <= low
    return version < low


def test_the_range_reader_agrees_with_node_semver_on_the_forms_we_meet():
    assert admits("^20.19.0 || >=22.12.0", (20, 19, 0))
    assert not admits("^20.19.0 || >=22.12.0", (21, 7, 0))
    assert admits(">= 18", (24, 0, 0)) and not admits(">=v12.22.7", (12, 22, 6))
    assert admits("18 || 20 || >=22", (20, 40, 2)) and not admits("18 || 20 || >=22", (21, 0, 0))
    assert not admits(">=20.19", (20, 18, 9)) and admits("*", (16, 0, 0))


def declared_range() -> str:
    return json.loads((FRONTEND_DIR / "package.json").read_text())["engines"]["node"]


def locked_ranges() -> dict[str, str]:
    lock = json.loads((FRONTEND_DIR / "package-lock.json").read_text())
    return {
        path: entry["engines"]["node"]
        for path, entry in lock["packages"].items()
        # "" is the project itself, a copy of package.json's engines.
        if path and isinstance(entry.get("engines"), dict) and "node" in entry["engines"]
    }


def test_package_json_admits_exactly_the_nodes_every_locked_package_admits():
    locked = locked_ranges()
    assert len(locked) > 50
    # Many packages share a range: judge each range once, and name one package that has it.
    holders = {npm_range: path for path, npm_range in locked.items()}
    declared = declared_range()
    too_wide, too_narrow = [], []
    for version in NODE_VERSIONS:
        refused_by = [path for npm_range, path in holders.items() if not admits(npm_range, version)]
        if admits(declared, version) and refused_by:
            too_wide.append((".".join(map(str, version)), refused_by[0]))
        elif not admits(declared, version) and not refused_by:
            too_narrow.append(".".join(map(str, version)))
    assert too_wide == [], f"package.json admits Nodes that npm ci refuses: {too_wide[:5]}"
    assert too_narrow == [], f"package.json refuses Nodes that would work: {too_narrow[:5]}"


def test_readme_states_the_node_version_package_json_declares():
    readme = (REPO_DIR / "README.md").read_text()
    requirement = re.search(r"^You need .*?Node\.js `([^`]+)`", readme, re.MULTILINE)
    assert requirement, "README.md: no `You need ... Node.js `RANGE`` line"
    assert requirement[1] == declared_range()


def test_the_nginx_image_builds_the_frontend_on_a_node_package_json_admits():
    dockerfile = (REPO_DIR / "nginx" / "Dockerfile").read_text()
    tag = re.search(r"^FROM node:(\d+)\.(\d+)(?:\.(\d+))?\b", dockerfile, re.MULTILINE)
    assert tag, "nginx/Dockerfile: no node:MAJOR.MINOR stage"
    major, minor, patch = (int(part or 0) for part in tag.groups())
    assert admits(declared_range(), (major, minor, patch))
