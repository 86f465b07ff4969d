def build(ctx) -> None:
    """Filled by the blueprint work."""
