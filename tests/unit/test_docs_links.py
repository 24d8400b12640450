"""The README and docs/ point at things that exist: every relative link and image, every #anchor, and a reason
for every dependency."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
CODE_SPAN = re.compile(r"`+[^`\n]*`+")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def prose(markdown: str) -> str:
    """The text links can live in: fenced blocks and code spans removed (curl examples are not links)."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def links(markdown: str) -> list[str]:
    return LINK.findall(prose(markdown))


def anchors(markdown: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        text = re.sub(r"[`*_]|!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
        slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def test_the_parser_finds_links_and_images_and_skips_code():
    sample = ("See [the deploy notes](docs/DEPLOY.md#commands) and ![a screen](console/queue.png \"title\").\n"
              "`[not](a-link.md)`\n```sh\njq '[.x](y)'\n```\n## Citizen sign-in (issue: captcha, 6-month rule)\n")
    assert links(sample) == ["docs/DEPLOY.md#commands", "console/queue.png"]
    assert anchors(sample) == {"citizen-sign-in-issue-captcha-6-month-rule"}


def _relative_targets() -> list[tuple[Path, str]]:
    return [(document, target) for document in DOCUMENTS for target in links(document.read_text(encoding="utf-8"))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)]  # http:, https:, mailto: are not checked here


@pytest.mark.parametrize(("document", "target"), _relative_targets(),
                         ids=lambda value: value.name if isinstance(value, Path) else value)
def test_every_relative_link_resolves_to_a_file_of_the_repository(document, target):
    path, _, anchor = target.partition("#")
    resolved = (document.parent / unquote(path)).resolve() if path else document
    relative = resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(resolved)
    assert resolved.is_relative_to(ROOT), f"{document.name}: {target} points outside the repository"
    assert resolved.exists(), f"{document.relative_to(ROOT)}: {target} does not exist"
    if anchor and resolved.suffix == ".md":
        assert anchor in anchors(resolved.read_text(encoding="utf-8")), (
            f"{document.relative_to(ROOT)}: no heading #{anchor} in {relative}")


def test_the_readme_links_every_document_in_docs():
    readme = {(ROOT / target.partition("#")[0]).resolve() for target in links((ROOT / "README.md").read_text(
        encoding="utf-8"))}
    unlinked = [document.name for document in DOCUMENTS[1:] if document.resolve() not in readme]
    assert unlinked == []


def _requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [re.split(r"[\[=<>~!; ]", line.strip(), maxsplit=1)[0] for line in lines
            if line.strip() and not line.startswith(("#", "-"))]


def test_the_readme_says_why_each_direct_dependency_is_there():
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Dependencies and why", 1)[1]
    section = section.split("\n## ", 1)[0].lower()
    direct = [package for name in ("requirements.txt", "requirements-dev.txt", "requirements-bench.txt")
              for package in _requirements(name)]
    unexplained = [package for package in direct
                   if not re.search(rf"(?<![\w-]){re.escape(package.lower())}(?![\w-])", section)]
    assert len(direct) > 20 and unexplained == []
