"""Make an API key: `python -m api.core.keys NAME` prints the token once and its config line."""

import hashlib
import secrets
import sys


def new_key(name: str) -> tuple[str, str]:
    """A fresh random token and its `name:sha256` entry for NORMLAB_API_KEYS."""
    token = secrets.token_urlsafe(32)
    return token, f"{name}:{hashlib.sha256(token.encode()).hexdigest()}"


def main() -> None:
    """Print a new token for the name given on the command line."""
    if len(sys.argv) != 2:
        sys.exit("usage: python -m api.core.keys NAME")
    token, entry = new_key(sys.argv[1])
    print(f"token (give it to the client; it is not stored): {token}")
    print(f"add to NORMLAB_API_KEYS (comma-separated): {entry}")


if __name__ == "__main__":
    main()
