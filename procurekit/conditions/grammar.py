"""Parsing a condition's text into a tree (`procurekit.conditions` describes the grammar)."""

from __future__ import annotations

import re
from decimal import Decimal

from procurekit.conditions.nodes import (
    BOOL,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    NULL,
    NUMBER,
    STRING,
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
    number_problem,
)

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>\"[^\"\\]*\")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|,))"
)
_KEYWORDS = {"and", "or", "not", "true", "false", "null"}
_CMP = {"==", "!=", "<", "<=", ">", ">="}

def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ExprError(f"unexpected character '{text[col - 1]}'", col)
        kind = m.lastgroup or ""
        value = m.group(kind)
        tokens.append((kind, value, m.start(kind) + 1))
        pos = m.end()
    tokens.append(("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ExprError(f"condition longer than {MAX_LENGTH} characters")
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, value: str) -> bool:
        kind, val, _ = self.peek()
        if val == value and kind in ("op", "name"):
            self.i += 1
            return True
        return False

    def expect(self, value: str) -> None:
        kind, val, col = self.peek()
        if not self.accept(value):
            raise ExprError(f"expected '{value}' but found {_describe(kind, val)}", col)

    def parse(self) -> Node:
        node = self.expr()
        kind, val, col = self.peek()
        if kind != "end":
            raise ExprError(f"unexpected {_describe(kind, val)}", col)
        return node

    def nest(self, delta: int) -> None:
        """Track how deep the parser has recursed, so a hostile condition never overflows the stack."""
        self.depth += delta
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nested too deeply (limit {MAX_DEPTH})", self.peek()[2])

    def expr(self) -> Node:
        self.nest(1)
        col = self.peek()[2]
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        self.nest(-1)
        return items[0] if len(items) == 1 else Logic("or", tuple(items), col)

    def and_(self) -> Node:
        col = self.peek()[2]
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else Logic("and", tuple(items), col)

    def not_(self) -> Node:
        col = self.peek()[2]
        if self.accept("not"):
            self.nest(1)
            node = Not(self.not_(), col)
            self.nest(-1)
            return node
        return self.cmp()

    def cmp(self) -> Node:
        left = self.sum()
        kind, val, col = self.peek()
        if kind == "op" and val in _CMP:
            self.take()
            right = self.sum()
            nxt = self.peek()
            if nxt[0] == "op" and nxt[1] in _CMP:
                raise ExprError("chained comparisons are not allowed; use 'and'", nxt[2])
            return Cmp(val, left, right, col)
        return left

    def sum(self) -> Node:
        node = self.term()
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "op":
            _, op, col = self.take()
            node = Arith(op, node, self.term(), col)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek()[1] in ("*", "/") and self.peek()[0] == "op":
            _, op, col = self.take()
            node = Arith(op, node, self.unary(), col)
        return node

    def unary(self) -> Node:
        col = self.peek()[2]
        if self.peek() == ("op", "-", col):
            self.take()
            self.nest(1)
            node = Neg(self.unary(), col)
            self.nest(-1)
            return node
        return self.atom()

    def atom(self) -> Node:
        kind, val, col = self.take()
        if kind == "num":
            number: int | Decimal = Decimal(val) if "." in val else int(val)
            problem = number_problem(number)
            if problem:
                raise ExprError(f"the number {val[:20]}{'…' if len(val) > 20 else ''} {problem}", col)
            return Const(number, NUMBER, col)
        if kind == "str":
            return Const(val[1:-1], STRING, col)
        if kind == "op" and val == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind == "name":
            if val in ("true", "false"):
                return Const(val == "true", BOOL, col)
            if val == "null":
                return Const(None, NULL, col)
            if val in _KEYWORDS:
                raise ExprError(f"unexpected keyword '{val}'", col)
            if self.accept("("):
                if val not in FUNCTIONS:
                    raise ExprError(f"unknown function '{val}'", col)
                args: list[Node] = []
                if not self.accept(")"):
                    args.append(self.expr())
                    while self.accept(","):
                        args.append(self.expr())
                    self.expect(")")
                return Call(val, tuple(args), col)
            return Name(val, col)
        raise ExprError(f"unexpected {_describe(kind, val)}", col)


def _describe(kind: str, val: str) -> str:
    return "end of condition" if kind == "end" else f"'{val}'"


def parse(text: str) -> Node:
    """Parse a condition into a tree.

    Raises:
        ExprError: on a syntax error, with its column.
    """
    if not isinstance(text, str):
        raise ExprError("a condition must be a string")
    node = _Parser(text).parse()
    check_shape(node)
    return node
