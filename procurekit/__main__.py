"""`python -m procurekit`."""

from .cli import main

main()
