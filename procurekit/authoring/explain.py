"""`rules explain`: a rule set in plain language, for a politician or a supplier.

Each rule's conditions are rendered from the parsed trees (never from the source text), with the
parameter values in force on a date filled in and formatted as in messages (`procurekit.l10n`),
`let` names replaced by what they stand for, and fact fields named in words. Then the clause, the legal
reference and every parameter's source with its confidence tag.
"""

from __future__ import annotations

import datetime as dt

import procurekit.conditions as ex
from procurekit import l10n
from procurekit.ruleset.load import Parameter, Rule, RuleSet, Scalar
from procurekit.ruleset.subjects import FIELD_WORDS, SUBJECTS

#: Units the field already says ("course month 4" reads as "4").
_BARE_UNITS = {"course month"}

_SUBJECT = {
    "participant": ("hver deltager", "each participant"),
    "participant_month": ("hver deltager i hver måned med timer", "each participant in each month with hours"),
    "month": ("hver måned i kontrakten", "each month of the contract"),
    "year": ("hvert kalenderår i kontrakten", "each calendar year of the contract"),
}

_WORDS = {
    "da": {
        "rules": "Regler", "params": "Parametre og kilder", "for": "Gælder for", "when": "Når",
        "req": "Krav", "else": "Ellers", "warn": "Advarsel når", "due": "Endnu ikke for sent når",
        "needs": "Kræver", "clause": "Klausul", "ref": "Hjemmel", "uses": "Parametre",
        "violation": "overtrædelse", "warning": "advarsel", "source": "Kilde", "values": "Værdier",
        "as_of": "Værdier i kraft pr.", "lineage": "Bygger på",
        "conf": "Sikkerhed: [H] officiel kilde · [M] sekundær kilde · [L] svag kilde, skal tjekkes · "
                "[NOT CONFIRMED] ikke bekræftet, sættes fra kontrakten · [user] kommunens eget valg.",
        "from": "fra", "not": "det gælder ikke, at", "and": "og", "or": "eller",
        "missing": "mangler", "given": "er oplyst", "if": "hvis", "otherwise": "ellers",
        "min": "det mindste af", "max": "det største af", "floor": "rundet ned", "ceil": "rundet op",
        "months_after": "måneder efter", "days_after": "dage efter", "days_before": "dage før",
        "days_from": "antal dage fra", "to": "til", "none": "intet",
    },
    "en": {
        "rules": "Rules", "params": "Parameters and sources", "for": "Applies to", "when": "When",
        "req": "Requirement", "else": "Otherwise", "warn": "Warning when", "due": "Not yet late when",
        "needs": "Needs", "clause": "Clause", "ref": "Legal basis", "uses": "Parameters",
        "violation": "violation", "warning": "warning", "source": "Source", "values": "Values",
        "as_of": "Values in force on", "lineage": "Builds on",
        "conf": "Confidence: [H] official source · [M] secondary source · [L] weak source, check it · "
                "[NOT CONFIRMED] not confirmed, set it from the contract · [user] the municipality's own choice.",
        "from": "from", "not": "it is not so that", "and": "and", "or": "or",
        "missing": "is missing", "given": "is given", "if": "if", "otherwise": "otherwise",
        "min": "the smaller of", "max": "the larger of", "floor": "rounded down", "ceil": "rounded up",
        "months_after": "months after", "days_after": "days after", "days_before": "days before",
        "days_from": "the number of days from", "to": "to", "none": "none",
    },
}

_CMP = {
    "da": {
        ex.NUMBER: {">=": "er mindst", "<=": "er højst", ">": "er over", "<": "er under", "==": "er",
                    "!=": "er ikke"},
        ex.DATE: {">=": "er tidligst", "<=": "er senest", ">": "er efter", "<": "er før", "==": "er",
                  "!=": "er ikke"},
    },
    "en": {
        ex.NUMBER: {">=": "is at least", "<=": "is at most", ">": "is more than", "<": "is less than",
                    "==": "is", "!=": "is not"},
        ex.DATE: {">=": "is on or after", "<=": "is on or before", ">": "is after", "<": "is before",
                  "==": "is", "!=": "is not"},
    },
}


def scalar(value: Scalar | None, unit: str | None, lang: str, bare: bool = False) -> str:
    """A parameter value with its unit in words (a share as a percentage); `bare`: the number alone."""
    if value is None:
        return _WORDS[lang]["none"]
    if isinstance(value, bool):
        return l10n.boolean(value, lang)
    if isinstance(value, dt.date):
        return l10n.date(value, lang)
    if isinstance(value, str):
        return f"“{value}”"
    if bare or not unit or unit in _BARE_UNITS:
        return l10n.number(value, lang)
    return l10n.quantity(value, unit, lang)


class _Renderer:
    def __init__(self, rule: Rule, ruleset: RuleSet, params: dict[str, Scalar], lang: str) -> None:
        self.rule = rule
        self.lang = lang
        self.w = _WORDS[lang]
        self.params = params
        self.units = {n: p.unit for n, p in ruleset.parameters.items()}
        self.types: dict[str, str] = {n: f.type for n, f in SUBJECTS[rule.subject].items()}
        for name, p in ruleset.parameters.items():
            self.types.setdefault(name, p.type)
        for name, node in rule.lets.items():
            self.types[name] = ex.typecheck(node, self.types)

    def type_of(self, node: ex.Node) -> str:
        return ex.typecheck(node, self.types)

    def text(self, node: ex.Node, bare: bool = False) -> str:
        w, lang = self.w, self.lang
        if isinstance(node, ex.Const):
            if node.type == ex.DATE and isinstance(node.value, int):
                return l10n.date(dt.date.fromordinal(node.value), lang)
            return scalar(node.value, None, lang)
        if isinstance(node, ex.Name):
            if node.name in self.rule.lets:
                return self.text(self.rule.lets[node.name], bare)
            if node.name in self.params and node.name not in SUBJECTS[self.rule.subject]:
                return scalar(self.params[node.name], self.units.get(node.name), lang, bare)
            words = FIELD_WORDS.get(node.name)
            return words[0 if lang == "da" else 1] if words else node.name
        if isinstance(node, ex.Logic):
            parts = [self.sub(item) for item in node.items]
            return f" {w[node.op]} ".join(parts)
        if isinstance(node, ex.Not):
            return f"{w['not']} {self.sub(node.operand)}"
        if isinstance(node, ex.Neg):
            return f"−{self.sub(node.operand)}"
        if isinstance(node, ex.Cmp):
            return self.compare(node)
        if isinstance(node, ex.Arith):
            return self.arith(node)
        return self.call(node, bare)

    def sub(self, node: ex.Node) -> str:
        """A part of a larger phrase, in parentheses when it is itself a combination."""
        target = self.rule.lets.get(node.name, node) if isinstance(node, ex.Name) else node
        inner = self.text(node)
        if isinstance(target, (ex.Logic, ex.Arith)) or (isinstance(target, ex.Call) and target.func == "if"):
            return f"({inner})"
        return inner

    def compare(self, node: ex.Cmp) -> str:
        left, right = node.left, node.right
        if isinstance(right, ex.Const) and right.type == ex.NULL:
            return f"{self.sub(left)} {self.w['missing' if node.op == '==' else 'given']}"
        if isinstance(left, ex.Const) and left.type == ex.NULL:
            return f"{self.sub(right)} {self.w['missing' if node.op == '==' else 'given']}"
        kind = self.type_of(left)
        if kind == ex.BOOL and isinstance(right, ex.Const) and isinstance(right.value, bool):
            holds = (right.value is True) == (node.op == "==")
            return self.text(left) if holds else f"{self.w['not']} {self.sub(left)}"
        words = _CMP[self.lang][ex.DATE if kind == ex.DATE else ex.NUMBER]
        return f"{self.sub(left)} {words[node.op]} {self.sub(right)}"

    def arith(self, node: ex.Arith) -> str:
        w = self.w
        lt, rt = self.type_of(node.left), self.type_of(node.right)
        if node.op == "+" and ex.DATE in (lt, rt):
            d, n = (node.left, node.right) if lt == ex.DATE else (node.right, node.left)
            return f"{self.text(n, bare=True)} {w['days_after']} {self.sub(d)}"
        if node.op == "-" and lt == ex.DATE and rt == ex.NUMBER:
            return f"{self.text(node.right, bare=True)} {w['days_before']} {self.sub(node.left)}"
        if node.op == "-" and lt == ex.DATE:
            return f"{w['days_from']} {self.sub(node.right)} {w['to']} {self.sub(node.left)}"
        symbol = {"+": "+", "-": "−", "*": "×", "/": "/"}[node.op]
        return f"{self.sub(node.left)} {symbol} {self.sub(node.right)}"

    def call(self, node: ex.Call, bare: bool) -> str:
        w, args = self.w, node.args
        if node.func in ("min", "max"):
            parts = [self.sub(a) for a in args]
            listed = ", ".join(parts[:-1]) + f" {w['and']} {parts[-1]}"
            return f"{w[node.func]} {listed}"
        if node.func in ("floor", "ceil"):
            return f"{self.sub(args[0])} {w[node.func]}"
        if node.func == "add_months":
            return f"{self.text(args[1], bare=True)} {w['months_after']} {self.sub(args[0])}"
        if node.func == "if":
            return (f"{self.text(args[1], bare)} {w['if']} {self.text(args[0])}, "
                    f"{w['otherwise']} {self.text(args[2], bare)}")
        arg = args[0]
        assert isinstance(arg, ex.Const)
        return l10n.date(arg.value, self.lang)


def _values(p: Parameter, lang: str) -> str:
    w = _WORDS[lang]
    parts = []
    for since, value, _ in p.values:
        text = scalar(value, p.unit, lang)
        parts.append(text if since == dt.date.min else f"{text} {w['from']} {l10n.date(since, lang)}")
    return "; ".join(parts)


def explain_ruleset(ruleset: RuleSet, as_of: dt.date, lang: str = "da") -> str:
    """The rule set in plain language (Markdown), with parameter values in force on `as_of`."""
    w = _WORDS[lang]
    params = ruleset.params_at(as_of)
    lines = [f"# {ruleset.title.get(lang)}", "", f"`{ruleset.id}` {ruleset.version}"
             + (f" · {ruleset.jurisdiction}" if ruleset.jurisdiction else ""), ""]
    if ruleset.description:
        lines += [" ".join(ruleset.description.split()), ""]
    if len(ruleset.lineage) > 1:
        lines += [f"{w['lineage']}: {' → '.join(ruleset.lineage)}.", ""]
    lines += [f"{w['as_of']} {l10n.date(as_of, lang)}.", "", f"## {w['rules']}", ""]
    for n, rule in enumerate(ruleset.rules, start=1):
        r = _Renderer(rule, ruleset, params, lang)
        lines += [f"### {n}. {rule.title.get(lang)}", "", f"`{rule.id}` · {w['for']}: "
                  f"{_SUBJECT[rule.subject][0 if lang == 'da' else 1]}"]
        extra = [s for s in rule.requires if s != "participants"]
        if extra:
            lines[-1] += f" · {w['needs']}: " + ", ".join(f"{s}.csv" for s in extra)
        lines.append("")
        if rule.applies is not None:
            lines.append(f"- **{w['when']}:** {_sentence(r.text(rule.applies))}")
        lines.append(f"- **{w['req']}:** {_sentence(r.text(rule.condition))}")
        lines.append(f"- **{w['else']}:** {w[rule.severity]}.")
        if rule.warning is not None:
            lines.append(f"- **{w['warn']}:** {_sentence(r.text(rule.warning))}")
        if rule.due is not None:
            lines.append(f"- **{w['due']}:** {_sentence(r.text(rule.due))}")
        lines.append(f"- **{w['clause']}:** {rule.clause} · **{w['ref']}:** {ruleset.reference(rule, as_of)}")
        used = [name for name in _params_used(rule) if name in ruleset.parameters]
        if used:
            shown = ", ".join(f"{name} = {_values(ruleset.parameters[name], lang)}"
                              + (f" [{ruleset.parameters[name].confidence}]"
                                 if ruleset.parameters[name].confidence else "") for name in used)
            lines.append(f"- **{w['uses']}:** {shown}")
        lines.append("")
    lines += [f"## {w['params']}", "", w["conf"], ""]
    for name, p in ruleset.parameters.items():
        conf = f" [{p.confidence}]" if p.confidence else ""
        lines.append(f"- **{name}** = {_values(p, lang)}{conf}: {' '.join(p.description.split())}")
        lines.append(f"  {w['source']}: {' '.join(ruleset.source(p, as_of).split())}")
        for since, _, source in p.values:
            if source and since != dt.date.min:
                lines.append(f"  {l10n.date(since, lang)}: {' '.join(source.split())}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _params_used(rule: Rule) -> list[str]:
    fields = SUBJECTS[rule.subject]
    return [name for name in rule.names if name not in fields and name not in rule.lets]


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
