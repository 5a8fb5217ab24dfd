"""Reading SPARQL text without parsing it: its form, whether it names a dataset or calls SERVICE."""
import re
from functools import lru_cache

_PROLOGUE = re.compile(
    r"""\s*(?:
        \#[^\n]*                                   # a comment
      | BASE\s*<[^>]*>                             # BASE <iri>
      | PREFIX\s+[^\s:]*:\s*<[^>]*>                # PREFIX p: <iri>
      | DEFINE\s+\S+\s+(?:"[^"]*"|'[^']*'|<[^>]*>|\S+)   # a Virtuoso pragma
    )""", re.IGNORECASE | re.VERBOSE)
_FORM = re.compile(r"\s*(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)
# Comments, strings and IRIs removed, what is left can be searched for keywords.
_NOISE = re.compile(r'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>')
# Not ?from, $from or ex:from: only the keyword.
_DATASET_CLAUSE = re.compile(r"(?<![?$:\w])FROM\b", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![?$:\w])SERVICE\b", re.IGNORECASE)
# The functions whose value changes from one evaluation to the next (SPARQL 1.1, 17.4).
_VOLATILE = re.compile(r"(?<![?$:\w])(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


def query_form(sparql: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first keyword after the prologue (comments, BASE, PREFIX)."""
    pos = 0
    while True:
        m = _PROLOGUE.match(sparql, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
    m = _FORM.match(sparql, pos)
    if not m:
        raise SyntaxError("not a SPARQL query: expected SELECT, CONSTRUCT, DESCRIBE or ASK after the prologue")
    return m.group(1).upper()


@lru_cache(maxsize=256)
def _code(sparql: str) -> str:
    """The query without comments, strings and IRIs; each request asks several questions of the same text."""
    return _NOISE.sub(" ", sparql)


def has_dataset_clause(sparql: str) -> bool:
    """Whether the query names its own dataset (FROM or FROM NAMED), outside comments, strings and IRIs."""
    return _DATASET_CLAUSE.search(_code(sparql)) is not None


def mentions_service(sparql: str) -> bool:
    """Whether the keyword SERVICE appears outside comments, strings and IRIs."""
    return _SERVICE.search(_code(sparql)) is not None


def is_repeatable(sparql: str) -> bool:
    """Whether the same store gives the same answer every time: no SERVICE, no RAND(), NOW(), UUID(),
    STRUUID() or BNODE() outside comments, strings and IRIs."""
    text = _code(sparql)
    return _SERVICE.search(text) is None and _VOLATILE.search(text) is None


# A SELECT of one triple pattern about one subject, and nothing else: the whole grammar of a bounded lookup.
# Anything it does not match in full (a FILTER, DISTINCT, ORDER BY, OFFSET, a path, a second pattern, a comment
# in the body, a variable subject) is not one.
_IRI_TERM = r"""(?:<[^<>"{}|^`\\\x00-\x20]*>|(?:[A-Za-z][\w\-]*)?:(?:[\w\-]+(?:\.[\w\-]+)*)?)"""
_TERM = rf"(?:{_IRI_TERM}|[?$](\w+))"
_LOOKUP = re.compile(
    rf"""\s*SELECT\s+(?:\*|(?:[?$]\w+\s*)+)\s*(?:WHERE\s*)?
         \{{\s*{_IRI_TERM}\s+(?:{_TERM}|a)\s+{_TERM}\s*\.?\s*\}}
         \s*(?:LIMIT\s+\d+\s*)?""", re.IGNORECASE | re.VERBOSE)


@lru_cache(maxsize=256)
def is_bounded_lookup(sparql: str) -> bool:
    """Whether the query asks what one subject says, in one triple pattern selected as it is: the engine
    reads that subject's triples from one index range and nothing more, so it cannot run long. A variable
    used twice (`<s> ?p ?p`) is not one, to keep the rule simple: the engine would filter for equal pairs."""
    pos = 0
    while (m := _PROLOGUE.match(sparql, pos)) and m.end() > pos:
        pos = m.end()
    m = _LOOKUP.fullmatch(sparql, pos)
    if m is None:
        return False
    names = [name for name in m.groups() if name is not None]
    return len(names) == len(set(names))
