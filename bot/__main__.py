"""Entry point for ``python -m bot``: the same as the ``newsbot`` command."""

from bot.terminal.cli import main

# Guarded: indexing's worker processes import the main module, and must not run the CLI again.
if __name__ == "__main__":
    raise SystemExit(main())
