"""The condition language: a small, safe expression language parsed by our own parser.

Grammar (lowest precedence first)::

    expr  := and ('or' and)*
    and   := not ('and' not)*
    not   := 'not' not | cmp
    cmp   := sum (('=='|'!='|'<'|'<='|'>'|'>=') sum)?
    sum   := term (('+'|'-') term)*
    term  := unary (('*'|'/') unary)*
    unary := '-' unary | atom
    atom  := number | "string" | true | false | null | name | name '(' args ')' | '(' expr ')'

Names are fact fields, rule-set parameters or a rule's `let` names. Functions: `min`, `max`, `floor`,
`ceil`, `add_months(date, n)`, `date("YYYY-MM-DD")`, `if(condition, a, b)` (a when the condition is
true, else b: a missing value counts as false; both branches have one type). Nothing is ever handed to
Python's `eval`.

Semantics, shared by both engines: dates are day numbers (`date.toordinal()`); a missing value is
`None`; arithmetic with `None`, or a division by zero, gives `None`; a comparison with `None` is false
(only `x == null` / `x != null` test for it); `not` is true for anything that is not `True`.

Numbers are exact decimals (`decimal.Decimal`; integers stay `int`): a literal `0.1` is one tenth, and
`+ - * /` are computed in a 28-digit decimal context (a quotient is exact whenever it fits, so
`0.7 / 7` is `0.1`). Comparisons are exact. A float handed in (a parameter read from YAML) is taken
by its shortest decimal spelling (`str(0.1)` → `0.1`).

Numbers are finite and bounded: a number literal (and a rule-set parameter) must lie within
±`MAX_NUMBER`. A computed number beyond that bound, and a computed date outside 0001-01-01..9999-12-31
(`add_months(d, 100000)`, `d + 1000000000`), is `None`, like a division by zero: the value is computed
once, in Python, for both engines, so they agree. An expression nests at most `MAX_DEPTH` levels
(parentheses, `not`, `-` and each operator of a chain like `a + b + c` count), also after its `let`
names are substituted, and expands to at most `MAX_NODES` nodes.

The modules: `nodes` (the tree, value types, limits, exact numbers, walking), `grammar` (text to tree),
`static` (a node's type; dates marked), `runtime` (the row evaluator, binding parameters, folding
constants). Every name is imported from here: `import procurekit.conditions as ex`.
"""

from procurekit.conditions.grammar import parse
from procurekit.conditions.nodes import (
    BOOL,
    DATE,
    DECIMALS,
    FUNCTIONS,
    MAX_DAY,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    MAX_NUMBER,
    MIN_DAY,
    NULL,
    NUMBER,
    SIGN,
    STRING,
    TYPES,
    Arith,
    Call,
    Cmp,
    Const,
    ExprError,
    Logic,
    Name,
    Neg,
    Node,
    Not,
    check_shape,
    children,
    exact,
    names,
    number_problem,
    shape,
    walk,
)
from procurekit.conditions.runtime import add_months, bind, evaluate, sign
from procurekit.conditions.static import mark_dates, typecheck

__all__ = [
    "BOOL", "DATE", "DECIMALS", "FUNCTIONS", "MAX_DAY", "MAX_DEPTH", "MAX_LENGTH", "MAX_NODES", "MAX_NUMBER",
    "MIN_DAY", "NULL", "NUMBER", "SIGN", "STRING", "TYPES", "Arith", "Call", "Cmp", "Const", "ExprError", "Logic",
    "Name", "Neg", "Node", "Not", "add_months", "bind", "check_shape", "children", "evaluate", "exact",
    "mark_dates", "names", "number_problem", "parse", "shape", "sign", "typecheck", "walk",
]
