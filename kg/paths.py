"""Where the project's source files live, resolved from the repository root."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY = ONTOLOGY_DIR / "gongzhi.ttl"
CONCEPTS = ONTOLOGY_DIR / "concepts.ttl"
ALIGNMENT = ONTOLOGY_DIR / "alignment.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
CASES_DIR = ROOT / "kg" / "cases"
CONTEXT = ROOT / "kg" / "context.jsonld"
CONTEXT_BASE = ROOT / "kg" / "context-base.json"
NAMESPACE_MODULE = ROOT / "kg" / "namespace.py"
RULES_DIR = ROOT / "kg" / "rules"
QUERIES_DIR = ROOT / "queries"
BUILD_DIR = ROOT / "build"
DATASET = BUILD_DIR / "gongzhi.nq"

# Sources of the ontology graphs, in the order a reader meets them.
ONTOLOGY_SOURCES = (ONTOLOGY, CONCEPTS, ALIGNMENT)
PAPER_TEXT = ROOT / "kg" / "source" / "paper.txt"
# The workplace's shared material beside the repository (the seed paper, reference data, W3C tests).
SHARED = ROOT.parent / "shared"
