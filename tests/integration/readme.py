"""The examples of the README and docs/ as the suite runs them: fenced blocks, their language
and markers."""

import re
from dataclasses import dataclass
from pathlib import Path

RUN_LANGUAGES = {"sh": "sh", "bash": "sh", "shell": "sh", "python": "python"}
FENCE = re.compile(r"^```\s*([\w-]*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(?P<reason>.*?)\s*-->$")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+)$")


@dataclass(frozen=True)
class Block:
    """One fenced block: its file and line, its section and language, its code, why not run."""

    path: Path
    line: int
    section: str
    language: str
    code: str
    not_run: str | None

    @property
    def runs(self) -> bool:
        """Whether the suite runs it: a shell or Python block with no `not run` marker."""
        return self.language in RUN_LANGUAGES and self.not_run is None


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, in order."""
    found: list[Block] = []
    section, marker, lines = "", None, path.read_text().splitlines()
    number = 0
    while number < len(lines):
        text = lines[number].strip()
        if heading := HEADING.match(lines[number]):
            section = heading["title"]
        elif fence := FENCE.match(text):
            end = next(i for i in range(number + 1, len(lines)) if lines[i].strip() == "```")
            code = "\n".join(lines[number + 1 : end]) + "\n"
            language = RUN_LANGUAGES.get(fence[1], fence[1])
            found.append(Block(path, number + 1, section, language, code, marker))
            number = end
        if text:
            marked = NOT_RUN.match(text)
            marker = marked["reason"] if marked else None
        number += 1
    return found


def notebooks(found: list[Block]) -> list[list[Block]]:
    """The blocks to run, in order; consecutive Python blocks of one section together, as the
    cells of one notebook (they share their variables)."""
    groups: list[list[Block]] = []
    for block in (b for b in found if b.runs):
        previous = groups[-1][-1] if groups else None
        joins = previous is not None and previous.language == block.language == "python"
        if joins and previous is not None and previous.section == block.section:
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups
