"""/edit: domain experts edit the ontology and the case facts in the browser, behind sign-in and review.

Editors propose; reviewers accept, reject or revert. Every edit passes kg.edits' gate before it is
kept, and a refused one is shown with its reasons in Chinese and English. Editing is on when the
service has an accounts file (GONGZHI_ACCOUNTS_FILE; see kg/accounts.py).
"""
import secrets
from functools import wraps
from pathlib import Path

from flask import (Blueprint, abort, current_app, redirect, render_template, request, session, url_for)
from rdflib import URIRef

from kg import accounts, caseyaml, cases, dataset, edits, evidence, forms, paths

bp = Blueprint("edit", __name__, url_prefix="/edit")


@bp.before_request
def _editing_on():
    path = current_app.config.get("ACCOUNTS_FILE")
    if not path or not Path(path).exists():
        abort(404)
    if request.method == "POST" and request.endpoint != "edit.login" and \
            not secrets.compare_digest(request.form.get("csrf", ""), session.get("csrf", "-")):
        abort(400, "表单已过期，请刷新后重试 / the form has expired: reload the page and try again")


def _user():
    return session.get("user"), session.get("role")


def signed_in(reviewer: bool = False):
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            name, role = _user()
            if not name:
                return redirect(url_for("edit.login", next=request.path))
            if reviewer and role != "reviewer":
                abort(403, "只有审核人可以这样做 / only a reviewer may do this")
            return view(*args, **kwargs)
        return inner
    return wrap


def _render(template: str, status: int = 200, **values):
    session.setdefault("csrf", secrets.token_urlsafe(24))
    name, role = _user()
    return render_template(f"edit/{template}", user=name, role=role, csrf=session["csrf"], curie=forms.curie,
                           **values), status


def _store_link() -> Path | None:
    return None if current_app.config.get("REMOTE_QUERY_URL") else Path(current_app.config["STORE"])


@bp.route("/login", methods=["GET", "POST"])
def login():
    problem = None
    if request.method == "POST":
        account = accounts.verify(Path(current_app.config["ACCOUNTS_FILE"]), request.form.get("name", ""),
                                  request.form.get("password", ""))
        if account:
            session.clear()
            session.update(user=account.name, role=account.role, csrf=secrets.token_urlsafe(24))
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/edit") else url_for("edit.home"))
        problem = edits.Problem("login", "用户名或密码不正确", "wrong name or password")
    return _render("login.html", 401 if problem else 200, problems=[problem] if problem else [])


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("edit.login"))


@bp.get("")
@signed_in()
def home():
    changes = list(reversed(edits.history()))
    return _render("home.html", pending=[c for c in changes if c.status == "pending"],
                   done=[c for c in changes if c.status != "pending"], classes=forms.classes(),
                   label=forms.label)


# --- ontology terms -----------------------------------------------------------------------------------

def _term_values(term: URIRef, kind: str) -> dict:
    g = forms.ontology()
    values = {f"{key}_{lang}": forms.label(term, lang) if key == "label" else
              next((str(d) for d in g.objects(term, forms.SKOS.definition) if d.language == lang), "")
              for key in ("label", "definition") for lang in ("zh", "en")}
    values["parent"] = " ".join(forms.curie(o) for o in g.objects(term, forms.PARENT[kind])
                                if str(o).startswith((forms.GZ_NS, forms.GZC_NS)))
    values["alignment"] = " ".join(forms.curie(o) for o in g.objects(term, forms.ALIGN[kind])
                                   if not str(o).startswith((forms.GZ_NS, forms.GZC_NS)))
    for key, p in (("domain", forms.RDFS.domain), ("range", forms.RDFS.range), ("scheme", forms.SKOS.inScheme),
                   ("replaced_by", forms.DCTERMS.isReplacedBy)):
        values[key] = " ".join(forms.curie(o) for o in g.objects(term, p) if isinstance(o, URIRef))
    values["deprecated"] = (term, forms.OWL.deprecated, None) in g
    return values


@bp.route("/term/new", methods=["GET", "POST"])
@bp.route("/term/<name>", methods=["GET", "POST"])
@signed_in()
def term(name=None):
    new = name is None
    kind = request.values.get("kind", "class") if new else forms.kind_of(forms.expand(name))
    if kind not in forms.KINDS:
        abort(404)
    values = dict(request.form) if request.method == "POST" else ({} if new else _term_values(forms.expand(name), kind))
    if request.method == "GET":
        return _render("term.html", new=new, kind=kind, name=name, values=values, problems=[])
    try:
        local = request.form.get("name", "").strip() if new else None
        if new and not forms.LOCAL.match(local or ""):
            raise edits.EditRefused([edits.Problem("name", "名称只能用英文字母、数字和连字符，并以字母开头",
                                                   "the name uses letters, digits and hyphens, starting with a letter")])
        iri = URIRef((forms.GZC_NS if kind == "concept" else forms.GZ_NS) + local) if new else forms.expand(name)
        if request.form.get("action") == "delete":
            operations = forms.delete_operations(iri, dataset.union(dataset.assemble(dataset.load_sources())))
            title = f"delete {forms.curie(iri)}"
        else:
            operations = forms.term_operations(kind, iri, request.form, new)
            title = f"{'add' if new else 'edit'} {kind} {forms.curie(iri)}"
        change = edits.propose(operations, _user()[0], title, request.form.get("why", ""))
    except edits.EditRefused as refused:
        return _render("term.html", 422, new=new, kind=kind, name=name, values=values, problems=refused.problems)
    return redirect(url_for("edit.change", number=change.id))


# --- case facts -----------------------------------------------------------------------------------------

def _find_entry(entry_id: str) -> tuple[Path, str] | None:
    for path in cases.case_files():
        text = path.read_text(encoding="utf-8")
        if entry_id in caseyaml.entry_ids(text):
            return path, text
    return None


def _entry_values(entry: dict, fields) -> dict:
    values = {f"label_{k}": v for k, v in (entry.get("label") or {}).items()}
    for f in fields:
        value = entry.get(f.key)
        if isinstance(value, dict):
            values |= {f"{f.key}_{k}": v for k, v in value.items()}
        elif value is not None:
            values[f.key] = " ".join(value) if isinstance(value, list) else value
    return values


@bp.route("/entry/new", methods=["GET", "POST"])
@bp.route("/entry/<entry_id>", methods=["GET", "POST"])
@signed_in()
def entry(entry_id=None):
    new = entry_id is None
    found = None if new else _find_entry(entry_id)
    if not new and found is None:
        abort(404)
    existing = None if new else caseyaml.parse(found[1], entry_id)
    cls = forms.expand(request.values.get("class", "gz:Place")) if new else URIRef(forms.GZ_NS + existing["type"])
    fields = forms.class_fields(cls)
    files = [str(p.relative_to(paths.SOURCE_ROOT)) for p in cases.case_files()]
    values = dict(request.form) if request.method == "POST" else ({} if new else _entry_values(existing, fields))
    context = dict(new=new, entry_id=entry_id, cls=cls, fields=fields, files=files, values=values,
                   sections=list(evidence.section_spans()), label=forms.label,
                   evidence=(existing or {}).get("evidence", []))
    if request.method == "GET":
        return _render("entry.html", problems=[], **context)
    try:
        target = request.form.get("case_file", files[0]) if new else str(found[0].relative_to(paths.SOURCE_ROOT))
        if target not in files:
            abort(400)
        the_id = request.form.get("id", "").strip() if new else entry_id
        if new and any(the_id in caseyaml.entry_ids(p.read_text(encoding="utf-8")) for p in cases.case_files()):
            raise edits.EditRefused([edits.Problem("id", "该标识已被使用", "the id is taken")])
        before = None if new else caseyaml.block(found[1], entry_id)
        operation = forms.entry_operation(target, the_id, cls, request.form, fields, existing, before)
        change = edits.propose([operation], _user()[0], f"{'add' if new else 'edit'} entry {the_id}",
                               request.form.get("why", ""))
    except edits.EditRefused as refused:
        return _render("entry.html", 422, problems=refused.problems, **context)
    return redirect(url_for("edit.change", number=change.id))


# --- review and history -----------------------------------------------------------------------------------

@bp.get("/change/<int:number>")
@signed_in()
def change(number):
    try:
        record = edits.load(number)
    except LookupError:
        abort(404)
    return _render("change.html", change=record, problems=[])


@bp.post("/change/<int:number>/<action>")
@signed_in(reviewer=True)
def review(number, action):
    name = _user()[0]
    comment = request.form.get("comment", "")
    try:
        if action == "accept":
            edits.accept(number, name, comment, _store_link())
        elif action == "reject":
            edits.reject(number, name, comment)
        elif action == "revert":
            reverted = edits.revert(number, name, comment, _store_link())
            return redirect(url_for("edit.change", number=reverted.id))
        else:
            abort(404)
    except (edits.EditRefused, LookupError) as refused:
        problems = refused.problems if isinstance(refused, edits.EditRefused) else [
            edits.Problem(f"#{number}", "没有这项修改", "no such edit")]
        return _render("change.html", 422, change=edits.load(number), problems=problems)
    return redirect(url_for("edit.change", number=number))
