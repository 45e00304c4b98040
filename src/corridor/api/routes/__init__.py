"""The node's HTTP routes, one module per capability; ``corridor.api.app`` assembles them."""
