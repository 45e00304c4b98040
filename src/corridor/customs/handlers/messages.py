"""The message types customs exchanges with the peer node."""

from __future__ import annotations

from corridor.customs.domain.model import HOLD_NOTICE, RELEASE_NOTICE

PREARRIVAL = "customs.prearrival.v1"
ACKNOWLEDGEMENT = "customs.acknowledgement.v1"
EXPORT_HOLD = "customs.export_hold.v1"  # the export office stopped goods it had cleared
EXPORT_HOLD_LIFTED = "customs.export_hold_lifted.v1"  # ... and lifted that hold
NOTICE_TYPES = {HOLD_NOTICE: EXPORT_HOLD, RELEASE_NOTICE: EXPORT_HOLD_LIFTED}
# A notice that overtook its pre-arrival message is refused under this path and sent again later.
WAITING_FOR_PREARRIVAL = "body.prearrival_message_id"
