"""OWL reasoning with HermiT through owlready2: consistency and unsatisfiable classes."""
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
from rdflib import OWL, Graph


class ReasonerFailed(RuntimeError):
    """HermiT could not run: no Java (`make setup` installs it), or it could not read the input."""


@dataclass
class ReasonerReport:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    detail: str = ""


def reason(graph: Graph) -> ReasonerReport:
    """Run HermiT on the graph (ontology plus data).

    owlready2 reads N-Triples, not Turtle. HermiT supports only the OWL 2 datatype map, so the
    xsd:date and xsd:gYear values of the cases are ignored by it rather than rejected.
    """
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise ReasonerFailed("java not found: run `make setup` / 未找到 java：请运行 `make setup`")
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "gongzhi.nt"
        # Everything imported is already in the graph; owlready2 would otherwise try to download it.
        merged = Graph()
        merged += (t for t in graph if t[1] != OWL.imports)
        merged.serialize(nt, format="nt", encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(nt.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False,
                                           ignore_unsupported_datatypes=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ReasonerReport(False, detail=str(exc))
        except subprocess.CalledProcessError as exc:
            output = exc.output.decode("utf-8", "replace") if exc.output else ""
            raise ReasonerFailed(f"HermiT failed / HermiT 运行失败:\n{output[-2000:]}") from None
        unsatisfiable = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        world.close()
        return ReasonerReport(True, unsatisfiable)
