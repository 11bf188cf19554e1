"""On which database kinds an integration test runs."""

import pytest

# The API's routes, the store and the worker's writes run on both kinds, and so do the database's
# own faults. A fault of a process or of Redis acts the same whatever the database, and so does a
# client that reaches the database only through the API (the pages, the command line, the Python
# client, the answer's words): those run on SQLite alone, the embedded default.
ANY_DATABASE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
