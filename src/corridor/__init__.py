"""Trade Corridor: customs nodes of the India-Russia virtual trade corridor."""

__version__ = "0.1.0"
