"""`kg generate`: the large synthetic graph is seeded, sized, shaped like the real one and valid."""
import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph

from kg import cli, synthetic, validate
from kg.namespace import DIVISION

IMPORT_GRAPH = "https://w3id.org/gongzhi/graph/import/china-admin-divisions"


def test_same_size_and_seed_give_the_same_bytes(tmp_path):
    a, b, c = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    assert cli.main(["generate", "--triples", "5k", "--seed", "7", "--out", str(a)]) == 0
    assert cli.main(["generate", "--triples", "5k", "--seed", "7", "--out", str(b)]) == 0
    assert cli.main(["generate", "--triples", "5k", "--seed", "8", "--out", str(c)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_size_is_met_within_a_county(tmp_path):
    for size in ("5k", "30k"):
        count = synthetic.write(tmp_path / f"{size}.nq", synthetic.parse_size(size), 0)
        target = synthetic.parse_size(size)
        assert target <= count < target + 4000
        assert sum(1 for _ in (tmp_path / f"{size}.nq").open(encoding="utf-8")) == count
    assert synthetic.SIZES == {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}


def test_divisions_are_written_as_the_import_writes_them(tmp_path, built):
    """Every division triple of the generated graph is in the store after `kg import` (the real RML output)."""
    out = tmp_path / "g.nq"
    synthetic.write(out, 10_000, 3)
    real = ox.Store.read_only(str(built.store))
    graph = ox.NamedNode(IMPORT_GRAPH)
    division_quads = [q for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS) if q.graph_name == graph]
    assert len(division_quads) > 100
    assert all(q.subject.value.startswith(str(DIVISION)) for q in division_quads)
    missing = [q for q in division_quads if not list(real.quads_for_pattern(q.subject, q.predicate, q.object, graph))]
    assert missing == []


def test_generated_graph_conforms_to_the_shapes(tmp_path, built):
    """A 20k sample with the real dataset (its paper sections) conforms to ontology/shapes.ttl."""
    out = tmp_path / "sample.nq"
    synthetic.write(out, 20_000, 0)
    # The divisions, like the real import, are not case data: the shapes are not theirs.
    triples = [ox.Triple(q.subject, q.predicate, q.object) for path in (built.nquads, out)
               for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS) if q.graph_name.value != IMPORT_GRAPH]
    data = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    kinds = {str(o).rsplit("#", 1)[-1] for o in data.objects(None, validate.RDF.type)}
    assert {"Community", "ResidentsCommittee", "SocialOrganization", "PublicService", "ResponsibilityChange",
            "ManagementItem", "SubdistrictOffice", "DistrictGovernment", "Case", "Evidence"} <= kinds
    conforms, _, text = shacl_validate(data + validate.ontology(), shacl_graph=validate.shapes(), inference="none",
                                       advanced=True, allow_warnings=True)
    assert conforms, text[:3000]
