"""Evidence against the paper itself: every quote verbatim, and inside the section it cites."""
import re
from functools import lru_cache

from kg import paths
from kg.dataset import Sources
from kg.namespace import GZ
from kg.validate import Violation, locate

# Section headings of the paper, in order, as they begin a line of paper.txt.
HEADINGS = [("abstract", "摘 要"), ("1", "1. "), ("2", "2. "), ("3", "3. "), ("3.1", "3.1. "), ("3.2", "3.2. "),
            ("4", "4. "), ("4.1", "4.1. "), ("4.2", "4.2. "), ("5", "5. "), ("5.1", "5.1. "), ("5.2", "5.2. "),
            ("references", "参考文献")]


def squash(text: str) -> str:
    """Whitespace and line breaks differ between the text and the quotes; nothing else may."""
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=1)
def section_spans() -> dict[str, tuple[int, int]]:
    """Where each section lies in the squashed paper: from its heading to the next one not inside it."""
    text = paths.PAPER_TEXT.read_text(encoding="utf-8")
    starts, position = {"front": 0}, 0
    for number, heading in HEADINGS:
        position = text.index(f"\n{heading}", position) + 1
        starts[number] = len(squash(text[:position]))
    order = list(starts)
    spans = {}
    for i, number in enumerate(order):
        inside = "abstract" if number == "front" else f"{number}."
        end = next((starts[o] for o in order[i + 1:] if not o.startswith(inside) and o != inside), None)
        spans[number] = (starts[number], end if end is not None else len(squash(text)))
    return spans


@lru_cache(maxsize=1)
def paper() -> str:
    return squash(paths.PAPER_TEXT.read_text(encoding="utf-8"))


def _found_in(quote: str, start: int, end: int) -> bool:
    at = paper().find(quote, start)
    return at != -1 and at + len(quote) <= end


def check(sources: Sources) -> list[Violation]:
    """Quotes that are not in the paper, or not in the section they name."""
    found = []
    spans = section_spans()
    for graph in sources.graphs.values():
        for fact, evidence in graph.subject_objects(GZ.evidence):
            quote = squash(str(graph.value(evidence, GZ.quote) or ""))
            section = graph.value(evidence, GZ.inSection)
            number = str(section).rsplit("/", 1)[-1] if section else ""
            if not quote:
                continue
            # Locating an entry reads its file's lines: only for the quotes at fault.
            if quote not in paper():
                found.append(Violation(*locate(sources, fact), "quote-verbatim", "gz:quote", quote[:40],
                                       "引语不是论文原文：请逐字复制论文中的句子",
                                       "the quote is not in the paper: copy the sentence exactly as printed"))
            elif number in spans and not _found_in(quote, *spans[number]):
                found.append(Violation(*locate(sources, fact), "quote-in-section", "gz:inSection", number,
                                       f"引语不在第 {number} 节中：请核对章节",
                                       f"the quote is not in section {number}: check the section"))
    return sorted(found)
