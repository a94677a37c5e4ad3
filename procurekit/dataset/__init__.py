"""The contract dataset: its tables, the CSV and xlsx readers, the Excel template, the facts."""

from __future__ import annotations

from procurekit.dataset.excel import cell_text
from procurekit.dataset.facts import Fact, Occupancy, derive
from procurekit.dataset.read import (
    Dataset,
    Participant,
    cut_short,
    dataset_problems,
    looks_like_cpr,
    read_contract,
    read_dataset,
)
from procurekit.dataset.schema import (
    HOURS_COLUMNS,
    PARTICIPANT_COLUMNS,
    SUPPLIER_COLUMNS,
    TABLE_COLUMNS,
    TURNOVER_COLUMNS,
)
from procurekit.dataset.template import write_template

__all__ = [
    "Dataset",
    "Fact",
    "HOURS_COLUMNS",
    "Occupancy",
    "PARTICIPANT_COLUMNS",
    "Participant",
    "SUPPLIER_COLUMNS",
    "TABLE_COLUMNS",
    "TURNOVER_COLUMNS",
    "cell_text",
    "cut_short",
    "dataset_problems",
    "derive",
    "looks_like_cpr",
    "read_contract",
    "read_dataset",
    "write_template",
]
