"""The check an edit must pass before it is saved, run on a copy of the sources with the edit applied.

The same checks as a build (case-file syntax, SHACL, evidence quotes, violation queries), plus: every
term of the ontology keeps its labels and definitions in Chinese and English, and, when the ontology
changed, HermiT finds the ontology with the cases consistent and every class satisfiable. Each problem
is said in words a domain expert understands, in both languages.
"""
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import build, codegen, dataset, paths
from kg.edits import Problem
from kg.namespace import GZ, GZC

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme)
OWN = (str(GZ._NS), str(GZC._NS))


def _terms_complete(ontology: Graph) -> list[Problem]:
    problems = []
    for kind in TERM_TYPES:
        for term in sorted(set(ontology.subjects(RDF.type, kind))):
            if not isinstance(term, URIRef) or not str(term).startswith(OWN) or \
                    (term, OWL.deprecated, None) in ontology:
                continue
            labels = {l.language for p in (RDFS.label, SKOS.prefLabel) for l in ontology.objects(term, p)}
            definitions = {d.language for d in ontology.objects(term, SKOS.definition)}
            for lang, zh, en in (("zh", "中文", "Chinese"), ("en", "英文", "English")):
                if lang not in labels:
                    problems.append(Problem(str(term), f"术语缺少{zh}名称", f"the term has no {en} label"))
                if lang not in definitions:
                    problems.append(Problem(str(term), f"术语缺少{zh}定义", f"the term has no {en} definition"))
    return problems


def _hermit(sources) -> list[Problem]:
    from kg import reason  # noqa: PLC0415 - starts Java; only when the ontology changed

    report = reason.reason(sources.union())
    if not report.consistent:
        return [Problem("HermiT", "这项修改会使本体与案例事实相互矛盾（例如某个条目同时属于两个互斥的类）：" + report.detail[:400],
                        "this edit makes the ontology contradict the case facts (for example an entry would belong to "
                        "two classes that exclude each other): " + report.detail[:400])]
    return [Problem(c, "这个类不可能有任何成员（它的上级类相互排斥）", "no entry could ever belong to this class (its "
                       "parent classes exclude each other)") for c in report.unsatisfiable]


def check(reason: bool = False) -> list[Problem]:
    if reason:
        codegen.generate()  # new terms must be known to the case files' context before they are read
    result, _ = build.check()
    problems = [Problem(f"{e.file}:{e.line} [{e.entry}]", e.message_zh, e.message_en) for e in result.errors]
    problems += [Problem(f"{v.file}:{v.line} [{v.entry}] {v.path}{' = ' + v.value if v.value else ''}",
                         v.message_zh, v.message_en) for v in result.violations]
    ontology = Graph()
    for path in paths.ONTOLOGY_SOURCES:
        ontology.parse(path, format="turtle")
    problems += _terms_complete(ontology)
    if reason and not result.errors:
        problems += _hermit(dataset.load_sources())
    return problems
