"""The pure domain of settlement: no I/O, no framework; amounts are integers in minor units."""
