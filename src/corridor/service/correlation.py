"""The correlation id that follows a consignment across both nodes: the id of its export
declaration at the origin. The messages about a consignment already carry it in their signed
body (``export_declaration_id`` of the pre-arrival data, the acknowledgement and the export
notices; the consignment of each container of a logistics events message), so the envelope's
header needs no member of its own."""

from __future__ import annotations

from typing import Any


def correlation_id(body: Any) -> str | None:
    """The consignment a message body is about, if it names exactly one."""
    if not isinstance(body, dict):
        return None
    export_id = body.get("export_declaration_id")
    if isinstance(export_id, str) and export_id:
        return export_id
    containers = body.get("containers")
    if isinstance(containers, dict):
        consignments = {
            pair[0]
            for pair in containers.values()
            if isinstance(pair, list) and pair and isinstance(pair[0], str) and pair[0]
        }
        if len(consignments) == 1:
            return consignments.pop()
    return None
