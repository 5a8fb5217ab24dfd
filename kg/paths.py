"""Where the project's files live, resolved from the repository root.

The editable sources (ontology, cases, links, the edit history) and the files generated from them live
under SOURCE_ROOT: the repository itself, or a working copy named by $GONGZHI_SOURCES, so that a
proposed edit can be checked on a copy and a test can edit without touching the repository.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ROOT = Path(os.environ.get("GONGZHI_SOURCES") or ROOT).resolve()
ONTOLOGY_DIR = SOURCE_ROOT / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "gongzhi.ttl"
CONCEPTS = ONTOLOGY_DIR / "concepts.ttl"
ALIGNMENT = ONTOLOGY_DIR / "alignment.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
CASES_DIR = SOURCE_ROOT / "kg" / "cases"
LINKS_DIR = SOURCE_ROOT / "kg" / "links"
EDITS_DIR = SOURCE_ROOT / "kg" / "edits"
CONTEXT = SOURCE_ROOT / "kg" / "context.jsonld"
NAMESPACE_MODULE = SOURCE_ROOT / "kg" / "namespace.py"
CONTEXT_BASE = ROOT / "kg" / "context-base.json"
RULES_DIR = ROOT / "kg" / "rules"
QUERIES_DIR = ROOT / "queries"
BUILD_DIR = SOURCE_ROOT / "build"
DATASET = BUILD_DIR / "gongzhi.nq"

# Sources of the ontology graphs, in the order a reader meets them.
ONTOLOGY_SOURCES = (ONTOLOGY, CONCEPTS, ALIGNMENT)
# The files an edit may change (relative to SOURCE_ROOT) and the generated files that follow them.
EDITABLE = (ONTOLOGY_DIR, CASES_DIR, LINKS_DIR, EDITS_DIR, CONTEXT, NAMESPACE_MODULE)
PAPER_TEXT = ROOT / "kg" / "source" / "paper.txt"
# The workplace's shared material beside the repository (the seed paper, reference data, W3C tests).
SHARED = ROOT.parent / "shared"
