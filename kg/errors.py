"""Errors that reach the user as one line."""


class KgError(Exception):
    """An error the CLI prints as one line, with no traceback."""


class InputError(KgError):
    """An article or data file that cannot be read; names the file (and line)."""


class QueryError(KgError):
    """A SPARQL query that cannot be parsed or run."""
