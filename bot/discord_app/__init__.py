"""The Discord adapter: the client, embeds, and the cogs under ``exts/``."""

from bot._lazy import exports

__all__ = ["NewsBot"]
__getattr__ = exports(
    __name__,
    {
        "NewsBot": ".client",
    },
)
