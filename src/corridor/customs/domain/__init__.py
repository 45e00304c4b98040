"""Pure customs domain: no I/O."""
