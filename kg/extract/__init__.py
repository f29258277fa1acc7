"""Extractors: pure functions from a parsed Doc (and its resolved entities) to records."""
