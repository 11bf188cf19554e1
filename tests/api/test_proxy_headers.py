"""Proxy headers are believed only from the addresses the operator names (none by default), and
the failed-authentication throttle counts the address then believed: real uvicorn, started as
every deployment starts it (api.serve), on SQLite and PostgreSQL."""

import hashlib
from pathlib import Path

import pytest

from api.serve import main, uvicorn_arguments
from harness.databases import TEST_REDIS_URL
from harness.service import Service, running_api
from models.settings import Settings

TOKEN = "proxy-token-0123456789"
GUESS = "a-guessed-token"
LIMIT = 3
# Documentation addresses (RFC 5737): only ever written in a header, never reached.
FORGED = [f"203.0.113.{n}" for n in range(1, 8)]


def _throttled(**extra: str) -> dict[str, str]:
    """The environment of an API with one key and a failed-authentication limit of 3."""
    keys = f"erin:{hashlib.sha256(TOKEN.encode()).hexdigest()}"
    return {"NORMLAB_API_KEYS": keys, "NORMLAB_AUTH_FAILURES_PER_MINUTE": str(LIMIT), **extra}


def _guess(service: Service, forwarded_for: str, token: str = GUESS) -> int:
    headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": forwarded_for}
    return service.http.get("/experiments", headers=headers).status_code


def test_a_forged_x_forwarded_for_does_not_escape_the_throttle(
    database_url: str, tmp_path: Path
) -> None:
    with running_api(database_url, TEST_REDIS_URL, tmp_path, **_throttled()) as service:
        codes = [_guess(service, address) for address in FORGED]
        served = _guess(service, FORGED[0], TOKEN)
    # Every guess comes from 127.0.0.1 whatever the header says: one count for all of them.
    assert codes == [401] * LIMIT + [429] * (len(FORGED) - LIMIT)
    assert served == 200  # a valid key from that address is still served


def test_behind_a_named_proxy_the_throttle_counts_each_forwarded_client(
    database_url: str, tmp_path: Path
) -> None:
    extra = _throttled(NORMLAB_FORWARDED_ALLOW_IPS="127.0.0.1")
    with running_api(database_url, TEST_REDIS_URL, tmp_path, **extra) as service:
        first = [_guess(service, FORGED[0]) for _ in range(LIMIT + 1)]
        second = _guess(service, FORGED[1])
    assert first == [401] * LIMIT + [429]
    assert second == 401  # another client behind the same proxy has its own count


def test_uvicorn_is_told_the_proxies_from_the_settings() -> None:
    assert uvicorn_arguments(Settings()) == [
        "api.main:app",
        "--no-access-log",
        "--no-proxy-headers",
    ]
    named = Settings(forwarded_allow_ips="10.1.0.2,10.2.0.0/16")
    assert uvicorn_arguments(named)[-2:] == ["--forwarded-allow-ips", "10.1.0.2,10.2.0.0/16"]
    with pytest.raises(ValueError, match="'proxy' is not an IP address or network"):
        Settings(forwarded_allow_ips="10.1.0.2,proxy")
    with pytest.raises(SystemExit, match="set NORMLAB_FORWARDED_ALLOW_IPS instead"):
        main(["--port", "1", "--forwarded-allow-ips=*"])
