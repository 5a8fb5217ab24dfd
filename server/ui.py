"""The query page: YASGUI over /sparql, with the query catalogue as ready examples (zh and en)."""
from flask import Blueprint, jsonify, render_template, send_from_directory, url_for
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import catalogue, paths
from kg.namespace import GZ, GZC, GZD

bp = Blueprint("ui", __name__, template_folder="templates")

# Installed by `make setup` (npm ci, pinned in package-lock.json): the machine has no CDN to load from.
YASGUI_BUILD = paths.ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"

PREFIXES = {
    "gz": str(GZ._NS), "gzc": str(GZC._NS), "gzd": str(GZD),
    "rdf": str(RDF), "rdfs": str(RDFS), "skos": str(SKOS), "xsd": str(XSD), "owl": str(OWL),
    "prov": str(PROV), "dcterms": str(DCTERMS),
}


def _entry(query: catalogue.Query) -> dict:
    return {"name": query.name, "title": query.title, "question": query.question, "form": query.form,
            "query": query.text}


@bp.get("/")
def index():
    return render_template("index.html", prefixes=list(PREFIXES.items()), endpoint=url_for("sparql.query"))


@bp.get("/queries.json")
def queries():
    """The analyst queries, and apart from them the checks that must return no rows."""
    entries = catalogue.catalogue()
    return jsonify(queries=[_entry(q) for q in entries if not q.is_violation],
                   checks=[_entry(q) for q in entries if q.is_violation])


@bp.get("/ui/yasgui/<path:filename>")
def yasgui_asset(filename: str):
    # send_from_directory refuses paths outside the folder; missing files are a 404 (JSON, see errors.py).
    return send_from_directory(YASGUI_BUILD, filename)
