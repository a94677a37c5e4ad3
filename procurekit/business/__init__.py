"""The business case of a social-clause programme: assumptions, the monthly model, its output."""
