"""Trade Corridor: customs nodes of the India-Russia virtual trade corridor."""

import logging

# Records go where the application configures them (corridor.shared.logs for a node), not to
# Python's last-resort handler.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"
