"""Making a change through the service: computed, checked and committed by kg.updates, errors as 4xx."""
from kg import updates
from kg.remote import RemoteStoreError
from server.db import get_backend
from server.errors import ProtocolError


def change(make_change) -> updates.Change:
    """Apply a change to the configured store; a refused change becomes its 4xx, with the violations."""
    try:
        return updates.apply(get_backend(), make_change)
    except RemoteStoreError as exc:
        raise ProtocolError(502, f"远程存储出错：{exc}", f"the remote store failed: {exc}") from None
    except updates.UpdateRefused as exc:
        details = [{"entry": v.entry, "rule": v.rule, "path": v.path, "value": v.value,
                    "message": {"zh": v.message_zh, "en": v.message_en}} for v in exc.violations]
        raise ProtocolError(exc.status, exc.zh, exc.en, details) from None
