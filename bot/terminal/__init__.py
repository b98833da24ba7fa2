"""The terminal adapter: the ``newsbot`` command and text/JSON rendering."""

from bot._lazy import exports

__all__ = ["main"]
__getattr__ = exports(
    __name__,
    {
        "main": ".cli",
    },
)
