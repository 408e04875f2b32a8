"""Run the podsift command line: ``python -m podsift``."""

from podsift.cli import main

main()
