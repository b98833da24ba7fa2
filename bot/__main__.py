"""Entry point for ``python -m bot``: the same as the ``newsbot`` command."""

from bot.cli import main

raise SystemExit(main())
