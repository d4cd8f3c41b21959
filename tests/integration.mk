# More integration tests.
