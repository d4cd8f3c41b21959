# CUnit unit tests (one binary per module).
