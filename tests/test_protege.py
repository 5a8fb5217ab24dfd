"""`kg protege`: one RDF/XML file for Protégé, and a saved file split back into the three source files."""
import difflib

import owlready2
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import SKOS

from kg import cli, codegen, ontofiles, protege

from .conftest import FIXTURES

GZ = codegen.GZ_IRI
GZC = codegen.GZC_IRI
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


def _texts(files):
    return {p.name: p.read_text(encoding="utf-8") for p in files.all()}


def _changed_lines(before: str, after: str) -> list[str]:
    return [d for d in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if d[:1] in "+-" and not d.startswith(("+++", "---"))]


def _union(files) -> Graph:
    g = Graph()
    for path in files.all():
        g.parse(path)
    return g


def test_splitting_the_merged_graph_gives_each_file(files):
    graphs = files.read()
    headers = {p: ontofiles.ontology_iri(graphs[p]) for p in files.all()}
    parts = protege.split(_union(files), files, headers)
    for path in files.all():
        assert isomorphic(parts[path], graphs[path]), path.name


def test_importing_the_merged_graph_leaves_the_files_byte_identical(files, tmp_path):
    """The export as N-Triples, imported: every triple back in its file, the files unchanged to the byte."""
    before = _texts(files)
    merged = tmp_path / "merged.ttl"
    protege.merged(files).serialize(merged, format="nt", encoding="utf-8")
    result = protege.apply(merged, files)
    assert result.written == [] and result.dropped == [] and result.warnings == []
    assert not any(result.added.values()) and not any(result.removed.values())
    assert _texts(files) == before


def test_export_is_rdfxml_with_one_ontology_header(files, tmp_path):
    out = tmp_path / "gongzhi.owl"
    count = protege.export(out, files)
    assert out.read_bytes().startswith(b"<?xml")
    g = Graph().parse(out, format="xml")
    assert len(g) == count
    graphs = files.read()
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ontofiles.ontology_iri(graphs[files.ontology])]
    # The three files are in it, but for the headers of the concepts and the alignment (and their imports).
    assert count == sum(len(graphs[p]) for p in files.all()) - sum(
        len(list(graphs[p].triples((ontofiles.ontology_iri(graphs[p]), None, None))))
        for p in (files.concepts, files.alignment)) - _shared_declarations(graphs, files)
    assert (URIRef(GZC + "cancelled"), SKOS.broader, URIRef(GZC + "reduction")) in g
    assert (URIRef(GZ + "Place"), RDFS.subClassOf, URIRef("http://purl.org/dc/terms/Location")) in g
    assert (None, OWL.imports, None) not in g


def _shared_declarations(graphs, files) -> int:
    """Triples that two files both hold (declarations), counted once in a merged graph."""
    seen, shared = set(), 0
    for path in files.all():
        for triple in graphs[path]:
            if not isinstance(triple[0], URIRef) or triple[0] == ontofiles.ontology_iri(graphs[path]):
                continue
            shared += triple in seen
            seen.add(triple)
    return shared


def test_owlready2_round_trip_gives_back_the_sources(files, tmp_path):
    """Export, load and save with owlready2 as RDF/XML, import: the same files, byte for byte. owlready2
    adds nothing (it writes simple literals typed xsd:string, the same literal in RDF 1.1) and loses one
    thing, the final "/" of every IRI (the licence IRI here), which the import restores and reports."""
    before_text = _texts(files)
    exported, saved = tmp_path / "gongzhi.owl", tmp_path / "owlready2.owl"
    protege.export(exported, files)
    world = owlready2.World()
    world.get_ontology(exported.as_uri()).load().save(file=str(saved), format="rdfxml")
    world.close()
    saved_text = saved.read_text(encoding="utf-8")
    assert "XMLSchema#string" in saved_text and "licenses/by/4.0/" not in saved_text  # what owlready2 does

    result = protege.apply(saved, files)
    assert result.dropped == []
    assert len(result.warnings) == 1 and str(LICENSE) in result.warnings[0]
    assert _texts(files) == before_text


def _protege_file(files, tmp_path, fixture) -> tuple:
    """A file as Protégé saves it: the hand-written fixture (header, declarations, the terms it shows) and
    the rest of the exported ontology as N-Triples (which Turtle reads too)."""
    shown = Graph().parse(fixture, format="turtle")
    subjects = set(shown.subjects())
    rest = Graph()
    for s, p, o in protege.merged(files):
        if s not in subjects:
            rest.add((s, p, o))
    path = tmp_path / "saved-by-protege.ttl"
    path.write_text(fixture.read_text(encoding="utf-8") + "\n" + rest.serialize(format="nt"), encoding="utf-8")
    return path, shown


def test_a_protege_turtle_file_with_one_changed_label_changes_that_line_only(files, tmp_path):
    before = _texts(files)
    fixture = FIXTURES / "protege" / "edited-label.ttl"
    saved, shown = _protege_file(files, tmp_path, fixture)
    committee = URIRef(GZ + "ResidentsCommittee")
    old_label = Literal("居民委员会", lang="zh")
    current = protege.merged(files)
    stale = {(s, p, o) for s, p, o in current if s in set(shown.subjects())} - set(shown) - {(committee, RDFS.label,
                                                                                                 old_label)}
    assert not stale, f"update {fixture.name} to the current ontology: it lacks {stale}"

    result = protege.apply(saved, files)
    assert _changed_lines(before["gongzhi.ttl"], _texts(files)["gongzhi.ttl"]) == [
        '-        "居民委员会"@zh ;', '+        "居委会"@zh ;']
    assert _texts(files)["concepts.ttl"] == before["concepts.ttl"]
    assert _texts(files)["alignment.ttl"] == before["alignment.ttl"]  # subClassOf org:FormalOrganization went back
    dropped = {triple for triple, _ in result.dropped}
    assert dropped == {f"<{GZC}cancelled> <{RDF.type}> <{OWL.NamedIndividual}>",
                       f"<{RDFS.label}> <{RDF.type}> <{OWL.AnnotationProperty}>",
                       f"<{RDFS.isDefinedBy}> <{RDF.type}> <{OWL.AnnotationProperty}>",
                       "<http://www.w3.org/2001/XMLSchema#date> "
                       f"<{RDF.type}> <{RDFS.Datatype}>"}
    assert result.warnings == []


def test_what_the_owl_api_changes_that_means_nothing_is_undone(files, tmp_path):
    """The OWL API (Protégé) writes union operands sorted and, before version 5, takes rdf:langString for a
    class: a datatype property with that range becomes an object property too. Both are undone."""
    before = _texts(files)
    g = protege.merged(files)
    for union in list(g.objects(None, OWL.unionOf)):
        members = list(Collection(g, union))
        Collection(g, union).clear()
        Collection(g, union, list(reversed(members)))
    langstring = [s for s in g.subjects(RDFS.range, RDF.langString) if (s, RDF.type, OWL.DatatypeProperty) in g]
    assert langstring
    for prop in langstring:
        g.add((prop, RDF.type, OWL.ObjectProperty))
    g.add((RDF.langString, RDF.type, OWL.Class))
    saved = tmp_path / "owl-api.owl"
    g.serialize(saved, format="xml")
    result = protege.apply(saved, files, run_checks=False)
    assert len(result.dropped) == len(langstring) + 1
    assert _texts(files) == before


def test_edits_in_protege_go_to_their_files(files, tmp_path):
    """A new class to the ontology, a new alignment axiom to the alignment, a concept's definition removed
    from the concept schemes, a new external class declared where it is used."""
    g = protege.merged(files)
    new_class, concept = URIRef(GZ + "CommunityFoundation"), URIRef(GZC + "cancelled")
    foaf_org = URIRef("http://xmlns.com/foaf/0.1/Organization")
    g.add((new_class, RDF.type, OWL.Class))
    g.add((new_class, RDFS.label, Literal("社区基金会", lang="zh")))
    g.add((new_class, RDFS.subClassOf, URIRef(GZ + "SocialOrganization")))
    g.add((URIRef(GZ + "Organization"), RDFS.subClassOf, foaf_org))
    g.add((foaf_org, RDF.type, OWL.Class))
    definition = Literal("Items were abolished.", lang="en")
    g.remove((concept, SKOS.definition, definition))
    saved = tmp_path / "edited.owl"
    g.serialize(saved, format="xml")
    result = protege.apply(saved, files, run_checks=False)
    ontology, concepts, alignment = (Graph().parse(p) for p in files.all())
    assert (new_class, RDFS.subClassOf, URIRef(GZ + "SocialOrganization")) in ontology
    assert (new_class, None, None) not in alignment and (new_class, None, None) not in concepts
    assert (URIRef(GZ + "Organization"), RDFS.subClassOf, foaf_org) in alignment
    assert (foaf_org, RDF.type, OWL.Class) in alignment and (foaf_org, None, None) not in ontology
    assert (URIRef(GZ + "Organization"), RDFS.subClassOf, foaf_org) not in ontology
    assert (concept, SKOS.definition, definition) not in concepts
    assert (result.added[files.ontology], result.removed[files.concepts], result.added[files.alignment]) == (3, 1, 2)


BAD_FILES = [
    ("broken.ttl", "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n\n"
                   "<https://w3id.org/gongzhi/ontology> a owl:Ontology .\n<a> <b> \"unclosed .\n", 4, "Turtle"),
    ("broken.owl", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                   '  <rdf:Description rdf:about="https://w3id.org/gongzhi/ontology">\n  </rdf:Descr>\n</rdf:RDF>\n',
     4, "XML"),
    ("owlxml.owl", '<?xml version="1.0"?>\n<Ontology xmlns="http://www.w3.org/2002/07/owl#" '
                   'ontologyIRI="https://w3id.org/gongzhi/ontology">\n</Ontology>\n', 1, "OWL/XML"),
    ("other.ttl", "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n\n<https://example.org/other> a owl:Ontology .\n",
     3, "<https://w3id.org/gongzhi/ontology>"),
]


@pytest.mark.parametrize("name, text, line, what", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_named_with_its_line_and_nothing_is_written(files, tmp_path, name, text, line, what):
    before = _texts(files)
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(protege.ProtegeFileError) as caught:
        protege.apply(bad, files)
    assert caught.value.line == line
    message = str(caught.value)
    assert message.startswith(f"{bad}:{line}: ") and what in message
    assert any("\u4e00" <= c <= "\u9fff" for c in caught.value.message_zh)
    assert _texts(files) == before


def test_a_property_both_object_and_datatype_is_refused(files, tmp_path):
    before = _texts(files)
    g = protege.merged(files)
    g.add((URIRef(GZ + "itemCount"), RDF.type, OWL.ObjectProperty))
    saved = tmp_path / "punned.ttl"
    saved.write_text(g.serialize(format="turtle"), encoding="utf-8")
    with pytest.raises(protege.ProtegeFileError) as caught:
        protege.apply(saved, files)
    assert "itemCount" in str(caught.value) and caught.value.line > 0
    assert "gz:itemCount" in saved.read_text(encoding="utf-8").splitlines()[caught.value.line - 1]
    assert _texts(files) == before


def test_cli_export_and_a_bad_import(files, tmp_path, capsys):
    before = _texts(files)
    out = tmp_path / "gongzhi.owl"
    folder = str(files.ontology.parent)
    assert cli.main(["protege", "export", "--out", str(out), "--dir", folder]) == 0
    assert Graph().parse(out, format="xml")
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix : <x> .\n:a :b .\n", encoding="utf-8")
    assert cli.main(["protege", "import", str(broken), "--dir", folder]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:2:" in err and "nothing was written / 未写入任何内容" in err
    assert _texts(files) == before
