def build(ctx) -> None:
    """Filled by the question-bank work."""
