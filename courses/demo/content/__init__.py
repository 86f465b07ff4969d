"""One module per demo course; each has ``course(media) -> dict`` (media: demo file key → pk)."""
