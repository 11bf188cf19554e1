"""The server-rendered pages: routes, templates and their context."""
