#!/usr/bin/env bash
# Load an ontology file with the OWL API (the library inside Protégé) and save it again, as Protégé does.
#
#   scripts/owlapi-roundtrip.sh IN.owl OUT.owl     save as RDF/XML
#   scripts/owlapi-roundtrip.sh IN.owl OUT.ttl     save as Turtle
#
# A trial of `kg protege import` without Protégé: `bin/kg protege export` then this, then
# `bin/kg protege import OUT` (with --dir on a copy of ontology/). It uses the OWL API 3.4.3 inside
# owlready2's HermiT.jar, so it needs a JDK (javac); Protégé 5 has the OWL API 4.5, which writes the
# same declarations. Nothing of the project runs this; it is for a person checking the round trip.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 IN OUT.owl|OUT.ttl / 用法" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$("$root/.venv/bin/python" -c "import owlready2, os; print(os.path.join(os.path.dirname(owlready2.__file__), 'hermit', 'HermiT.jar'))")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/RoundTrip.java" <<'JAVA'
import java.io.File;
import org.coode.owlapi.turtle.TurtleOntologyFormat;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.RDFXMLOntologyFormat;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.vocab.PrefixOWLOntologyFormat;

class RoundTrip {
  public static void main(String[] args) throws Exception {
    OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
    OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
    PrefixOWLOntologyFormat format = args[1].endsWith(".ttl") ? new TurtleOntologyFormat() : new RDFXMLOntologyFormat();
    format.copyPrefixesFrom(manager.getOntologyFormat(ontology).asPrefixOWLOntologyFormat());
    manager.saveOntology(ontology, format, IRI.create(new File(args[1]).getAbsoluteFile().toURI()));
    System.err.println(ontology.getOntologyID() + ": " + ontology.getAxiomCount() + " axioms -> " + args[1]);
  }
}
JAVA
javac -nowarn -Xlint:none -cp "$jar" -d "$work" "$work/RoundTrip.java"
java -cp "$jar:$work" RoundTrip "$1" "$2"
