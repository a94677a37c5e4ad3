"""`python -m procurekit`."""

from procurekit.cli import main

main()
