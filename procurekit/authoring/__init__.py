"""Adapting and testing rule sets: init, diff, schema, plain-language explain, scenario tests."""
