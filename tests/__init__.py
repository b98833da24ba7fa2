"""newsbot test suite."""
