"""`if(condition, a, b)`: typed, lazy about nulls in the branch not taken, folded when constant."""

from __future__ import annotations

import pytest

import procurekit.conditions as ex

TYPES = {"n": ex.NUMBER, "d": ex.DATE, "b": ex.BOOL, "s": ex.STRING}


def ev(text: str, **env: object) -> object:
    node = ex.parse(text)
    ex.typecheck(node, TYPES)
    return ex.evaluate(node, env)


def test_branches_and_null_condition() -> None:
    assert ev("if(n <= 1000000, 0, if(n <= 2000000, 0.5, 1))", n=1_000_000) == 0
    assert ev("if(n <= 1000000, 0, if(n <= 2000000, 0.5, 1))", n=1_000_001) == 0.5
    assert ev("if(n <= 1000000, 0, if(n <= 2000000, 0.5, 1))", n=2_000_001) == 1
    assert ev("if(b, 1, 2)") == 2  # a missing condition counts as false
    assert ev("if(b, n, 2)", b=False) == 2  # a null in the branch not taken does not matter
    assert ev("if(b, n, 2)", b=True) is None
    assert ev('if(b, "x", "y") == "x"', b=True) is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("if(n, 1, 2)", "if() needs bool, got number (column 4)"),
        ('if(b, 1, "x")', "if() branches must have one type, got number and string (column 1)"),
        ("if(b, null, null)", "if() needs a branch that is not null (column 1)"),
        ("if(b, 1)", "if() takes 3 argument(s), got 2 (column 1)"),
    ],
)
def test_type_errors(text: str, message: str) -> None:
    with pytest.raises(ex.ExprError) as info:
        ex.typecheck(ex.parse(text), TYPES)
    assert str(info.value) == message


def test_types() -> None:
    assert ex.typecheck(ex.parse("if(b, d, null)"), TYPES) == ex.DATE
    assert ex.typecheck(ex.parse("if(b, null, n)"), TYPES) == ex.NUMBER
    assert ex.typecheck(ex.parse("if(b, b, false)"), TYPES) == ex.BOOL


def test_folds_when_the_condition_is_constant() -> None:
    consts = {"limit": ex.Const(5, ex.NUMBER)}
    bound = ex.bind(ex.parse("if(limit > 3, n, 0)"), consts, {})
    assert isinstance(bound, ex.Name) and bound.name == "n"
    bound = ex.bind(ex.parse("if(limit > 9, d, date(\"2020-01-01\"))"), consts, {})
    assert isinstance(bound, ex.Const) and bound.type == ex.DATE
