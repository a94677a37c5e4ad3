"""The error hierarchy. Every error procurekit raises on purpose is a `ProcurekitError`.

The CLI turns each into one line on stderr and exit code 2; the library never prints or exits.
"""

from __future__ import annotations

__all__ = [
    "ProcurekitError",
    "AssumptionsError",
    "RuleFileError",
    "RuleSetErrors",
    "DatasetError",
    "DatasetErrors",
    "EngineError",
    "OutputError",
    "UnknownRuleSetError",
]


class ProcurekitError(Exception):
    """Base class: input or rules that procurekit cannot use (exit code 2)."""


class RuleFileError(ProcurekitError):
    """One problem in a rule-set file, located by file and line."""

    def __init__(self, path: object, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class AssumptionsError(RuleFileError):
    """One problem in a business-case assumptions file, located by file and line."""


class RuleSetErrors(ProcurekitError):
    """Several problems found in one validation run; `errors` holds each one."""

    def __init__(self, errors: list[RuleFileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class UnknownRuleSetError(ProcurekitError):
    """A rule-set id that is neither bundled nor a readable file."""


class DatasetError(ProcurekitError):
    """One problem in a contract dataset, located by file (and sheet of a workbook), row and column."""

    def __init__(
        self,
        path: object,
        message: str,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        sheet: str | None = None,
    ) -> None:
        self.path = str(path)
        self.row = row
        self.column = column
        self.message = message
        self.sheet = sheet
        self.line = line
        super().__init__(f"{self.where()}: {message}")

    def where(self, row: str = "row", column: str = "column") -> str:
        """The place of the problem: `file[:line] [sheet]: row N, column C`, with the words for row and column
        given (Danish: "række", "kolonne")."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.sheet is not None:
            where += f" [{self.sheet}]"
        if self.row is not None:
            where += f": {row} {self.row}"
        if self.column is not None:
            where += f", {column} {self.column}" if self.row is not None else f": {column} {self.column}"
        return where


class DatasetErrors(DatasetError):
    """Several problems of one data file (at most `MAX_PROBLEMS`, in row order): the first one's file, row,
    column and message are its own, so whoever shows one problem shows that one; `problems` holds them all."""

    def __init__(self, problems: list[DatasetError]) -> None:
        first = problems[0]
        super().__init__(first.path, first.message, first.row, first.column, first.line, first.sheet)
        self.problems = list(problems)


#: The most problems one data file reports (`DatasetErrors`): enough to put a file right in one go, and a
#: file broken on every one of its million rows is not read row by row to the end.
MAX_PROBLEMS = 50


class OutputError(ProcurekitError):
    """An output file cannot be written (exit code 2); nothing was replaced."""


class EngineError(ProcurekitError):
    """The rules engine failed or timed out; no verdicts were produced."""
