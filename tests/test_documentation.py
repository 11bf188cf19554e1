"""The README and docs/ hold together: every relative link reaches a file and a heading."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+)$")


def anchor(title: str) -> str:
    """The fragment a heading gets on GitHub: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The fragments of a Markdown file's headings, outside its fenced blocks."""
    found, fenced = set(), False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            found.add(anchor(heading["title"]))
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_relative_link_reaches_a_file_and_a_heading(document: Path) -> None:
    for link in LINK.finditer(document.read_text()):
        target = link["target"]
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        name, _, fragment = target.partition("#")
        destination = (document.parent / name) if name else document
        assert destination.exists(), f"{document.name}: {target} is not a file"
        if fragment:
            assert fragment in anchors(destination), f"{document.name}: {target} is no heading"


def test_the_readme_shows_the_two_commands_and_points_at_every_page() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
    for page in DOCUMENTS[1:]:
        assert f"(docs/{page.name})" in readme, page.name


def test_the_readme_stays_short_enough_to_finish() -> None:
    # The depth lives in docs/; a README longer than this was one newcomers gave up on.
    assert len((ROOT / "README.md").read_text().splitlines()) <= 350
