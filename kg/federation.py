"""Policy for SERVICE (federated queries): off unless an endpoint prefix is allowed, never local files."""
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from kg.querytext import mentions_service


class FederationRefused(Exception):
    """A SERVICE call the policy does not allow; carries a message in zh and en."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Policy:
    """Which SERVICE endpoints a query may call: IRI prefixes, and whether private addresses are allowed."""

    allow: tuple[str, ...] = ()
    allow_private: bool = False

    @classmethod
    def from_config(cls, allow: str | list | tuple | None, allow_private: bool = False) -> "Policy":
        if isinstance(allow, str):
            allow = [a for a in re.split(r"[\s,]+", allow) if a]
        return cls(tuple(allow or ()), bool(allow_private))


def _services(node, found: list) -> None:
    if isinstance(node, CompValue):
        if node.name == "ServiceGraphPattern":
            found.append(node.get("term"))
        for value in node.values():
            _services(value, found)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            _services(value, found)


def service_endpoints(query: str, update: bool = False) -> list:
    """The SERVICE endpoints a query (or an update's WHERE clauses) names: IRIs, or Variables."""
    if not mentions_service(query):
        return []  # the common case costs a regex search, not a parse
    try:
        tree = parseUpdate(query) if update else parseQuery(query)
    except ParseException:
        return []  # the engine reports the syntax error itself
    found: list = []
    _services(tree, found)
    return found


def _is_private(host: str) -> bool:
    """True if the host is, or resolves to, a loopback, private, link-local or unspecified address."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return True  # an endpoint we cannot resolve is not one we may call
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_reserved:
            return True
    return False


def check(query: str, policy: Policy, update: bool = False) -> None:
    """Raise FederationRefused unless every SERVICE of the query (or update) is allowed by the policy."""
    for endpoint in service_endpoints(query, update):
        if isinstance(endpoint, Variable) or endpoint is None:
            raise FederationRefused("SERVICE 的端点必须是固定的IRI，不能是变量",
                                    "a SERVICE endpoint must be a fixed IRI, not a variable")
        iri = str(endpoint)
        parts = urlsplit(iri)
        if parts.scheme not in ("http", "https"):
            raise FederationRefused(f"不允许访问 {iri}：SERVICE 只能使用 http(s) 端点",
                                    f"{iri} is not allowed: SERVICE takes http(s) endpoints only")
        if not any(iri.startswith(prefix) for prefix in policy.allow):
            raise FederationRefused(f"不允许访问 SERVICE 端点 {iri}：它不在允许列表中",
                                    f"SERVICE endpoint {iri} is not allowed: it is not in the allowlist")
        if not policy.allow_private and _is_private(parts.hostname or ""):
            raise FederationRefused(f"不允许访问 SERVICE 端点 {iri}：它指向本机或内网地址",
                                    f"SERVICE endpoint {iri} is not allowed: it points at a loopback or private address")
