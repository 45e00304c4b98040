"""HS classification: suggest HS 2022 subheadings for a goods description and check a declared code."""
