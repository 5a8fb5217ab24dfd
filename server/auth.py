"""Who may change the store: bearer tokens from the configuration, compared in constant time."""
import hmac

from flask import current_app, request

from server.errors import ProtocolError, read_only


def writes_enabled() -> bool:
    """Changing data is on only when tokens are configured."""
    return bool(current_app.config.get("UPDATE_TOKENS"))


def require_writer() -> None:
    """Refuse unless writes are enabled and the request carries a valid bearer token."""
    tokens = current_app.config.get("UPDATE_TOKENS") or []
    if not writes_enabled():
        raise read_only()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # Compare with every token, whatever matches, so timing tells nothing about the tokens.
    valid = False
    for token in tokens:
        valid |= hmac.compare_digest(given.strip().encode(), token.encode())
    if scheme.lower() != "bearer" or not valid:
        raise ProtocolError(401, "需要有效的令牌（Authorization: Bearer …）才能修改数据",
                            "changing data needs a valid token (Authorization: Bearer ...)",
                            headers={"WWW-Authenticate": 'Bearer realm="gongzhi"'})
