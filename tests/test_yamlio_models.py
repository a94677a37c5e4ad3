"""yamlio.load_mapping and yamlio.model_errors: the one YAML-to-model path every file reader shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from procurekit.errors import AssumptionsError, DatasetError, RuleFileError, RuleSetErrors
from procurekit.yamlio import load_mapping, load_yaml, model_errors


class Inner(BaseModel):
    n: int


class Doc(BaseModel):
    name: str
    item: Inner | list[int]


def test_a_document_that_is_not_a_mapping_is_refused_on_line_1(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_mapping(path, "must be a mapping of things")
    assert (info.value.line, info.value.message) == (1, "must be a mapping of things")


def test_model_errors_give_the_line_and_the_location_without_union_names(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("name: a\nitem:\n  n: many\n", encoding="utf-8")
    data, lines = load_yaml(path)
    with pytest.raises(ValidationError) as info:
        Doc.model_validate(data)
    found = model_errors(lines, info.value)
    assert (3, "item.n") in [(line, where) for line, where, _ in found]
    assert all("Inner" not in where and "[" not in where for _, where, _ in found)


def test_every_reader_refuses_a_list_with_its_own_error(tmp_path: Path) -> None:
    from procurekit.authoring.scenarios import load_scenario_file
    from procurekit.business.model import load_assumptions
    from procurekit.dataset.read import read_contract
    from procurekit.ruleset.load import read_model

    path = tmp_path / "x.yaml"
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(AssumptionsError, match=r"x.yaml:1: must be a mapping with title"):
        load_assumptions(path)
    with pytest.raises(DatasetError, match=r"must be a mapping of contract_id"):
        read_contract(path)
    with pytest.raises(RuleSetErrors, match=r"x.yaml:1: a scenario file is a mapping"):
        load_scenario_file(path)
    with pytest.raises(RuleSetErrors, match=r"x.yaml:1: a thing must be a mapping"):
        read_model(path, Doc, "a thing")
