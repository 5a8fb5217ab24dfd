"""Making a change through the service: computed, checked and committed by kg.updates, errors as 4xx."""
from pathlib import Path

from flask import current_app

from kg import updates
from server.errors import ProtocolError


def change(make_change) -> updates.Change:
    """Apply a change to the configured store; a refused change becomes its 4xx, with the violations."""
    try:
        return updates.apply(Path(current_app.config["STORE"]), make_change)
    except updates.UpdateRefused as exc:
        details = [{"entry": v.entry, "rule": v.rule, "path": v.path, "value": v.value,
                    "message": {"zh": v.message_zh, "en": v.message_en}} for v in exc.violations]
        raise ProtocolError(exc.status, exc.zh, exc.en, details) from None
