"""`python -m pipeline` is `podcast`."""

from .cli import main

main()
