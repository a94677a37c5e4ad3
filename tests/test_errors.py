"""The error hierarchy is complete and public."""

from __future__ import annotations

import inspect

import procurekit
from procurekit import errors
from procurekit.dataset.schema import TABLE_COLUMNS
from procurekit.ruleset.subjects import SOURCES


def test_every_error_class_is_exported() -> None:
    classes = {name for name, obj in vars(errors).items()
               if inspect.isclass(obj) and issubclass(obj, errors.ProcurekitError)}
    assert classes == set(errors.__all__)
    assert "OutputError" in errors.__all__


def test_the_package_exports_what_it_lists() -> None:
    assert all(hasattr(procurekit, name) for name in procurekit.__all__)


def test_rule_sources_are_the_dataset_tables() -> None:
    # Two declarations of one list until the table schema is shared by both layers.
    assert set(SOURCES) == set(TABLE_COLUMNS)
