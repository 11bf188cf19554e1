"""normlab's Python client: `normlab.Client(url, key)` submits, follows and reads experiments."""

from normlab.client import Client
from normlab.http import ApiError

__all__ = ["ApiError", "Client"]
