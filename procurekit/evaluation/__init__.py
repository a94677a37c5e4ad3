"""Evaluating a rule set on facts: the plan, the engines, `check` and batches of contracts."""
