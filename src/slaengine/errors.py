"""Errors users see. Each names what was wrong and where, and what would be right."""

from __future__ import annotations


class SlaError(Exception):
    """Base of every error slaengine reports to a user (the CLI prints it without a traceback)."""


class ContractError(SlaError):
    """A contract file (or a rule library file) is not valid.

    ``problems`` holds one line per problem: ``file:line: field: message``.
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{path}: {len(problems)} {noun}\n" + "\n".join(problems))


class EventError(SlaError):
    """One event is not acceptable; the message says which field and why."""
