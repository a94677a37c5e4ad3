"""pytest plugin: every `*.scenarios.yaml` file pytest is pointed at becomes one test per case.

Registered through the `pytest11` entry point, so `pytest rules/` runs the bundled scenarios and
`pytest my-kommune.scenarios.yaml` runs a municipality's own. A failure names the scenario file, the
line of the expectation, the case and the engines: `file:line case [durable, python]: expected …, got …`.
A scenario file that cannot be used fails its collection with one line per problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from procurekit.authoring.scenarios import LoadedCase, ScenarioFile

SUFFIX = ".scenarios.yaml"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect scenario files (procurekit is imported only when there is one)."""
    if file_path.name.endswith(SUFFIX):
        return ScenarioCollector.from_parent(parent, path=file_path)
    return None


class ScenarioFailure(Exception):
    """One case failed: each failure line as `run_case` gives it."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        super().__init__("\n".join(failures))


class ScenarioCollector(pytest.File):
    """A scenario file: one item per case."""

    def collect(self) -> Iterator[pytest.Item]:
        from procurekit.authoring.scenarios import load_scenario_file
        from procurekit.errors import ProcurekitError

        try:
            loaded = load_scenario_file(self.path)
        except ProcurekitError as exc:
            raise self.CollectError(str(exc)) from None
        for case in loaded.cases:
            yield ScenarioItem.from_parent(self, name=case.spec.name, file=loaded, case=case)


class ScenarioItem(pytest.Item):
    """One case, run through check() on every engine the file names."""

    def __init__(self, *, file: ScenarioFile, case: LoadedCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file = file
        self.case = case

    def runtest(self) -> None:
        """Run the case; raise ScenarioFailure with its failure lines."""
        from procurekit.authoring.scenarios import run_case

        result = run_case(self.file, self.case)
        if result.failures:
            raise ScenarioFailure(result.failures)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The failure lines, without a traceback."""
        from procurekit.errors import ProcurekitError

        if isinstance(excinfo.value, (ScenarioFailure, ProcurekitError)):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the case is: file, 0-based line, and its name."""
        return self.path, self.case.line - 1, f"scenario: {self.case.spec.name}"
