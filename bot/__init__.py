"""newsbot: answers questions from stored news, with citations, in Discord and the terminal."""

__version__ = "0.1.0"
