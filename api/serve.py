"""`python -m api.serve [uvicorn options]`: the API under uvicorn, as every deployment starts it.

uvicorn on its own believes X-Forwarded-For from 127.0.0.1, so a client on the API's host could
name any address there and never meet the failed-authentication throttle, which counts per
client address. Here proxy headers are believed only from NORMLAB_FORWARDED_ALLOW_IPS (none by
default), and the address uvicorn then gives the app is the one the throttle counts.
"""

import sys

from uvicorn.main import main as uvicorn

from models.settings import Settings, get_settings

# Options this launcher sets from the settings; on the command line they would contradict them.
FROM_SETTINGS = ("--forwarded-allow-ips", "--proxy-headers", "--no-proxy-headers")


def uvicorn_arguments(settings: Settings) -> list[str]:
    """The app and the options every deployment shares."""
    # No access line per request: it costs GET throughput (docs/performance.md); request counts
    # and latencies by route are on /metrics, and errors are logged.
    shared = ["api.main:app", "--no-access-log"]
    if not settings.forwarded_allow_ips:
        return [*shared, "--no-proxy-headers"]
    return [*shared, "--proxy-headers", "--forwarded-allow-ips", settings.forwarded_allow_ips]


def main(argv: list[str] | None = None) -> None:
    """Serve the API; other uvicorn options (--host, --port, --workers) pass through."""
    passed = sys.argv[1:] if argv is None else argv
    contradicting = [arg for arg in passed if arg.split("=")[0] in FROM_SETTINGS]
    if contradicting:
        sys.exit(f"{contradicting[0]}: set NORMLAB_FORWARDED_ALLOW_IPS instead")
    uvicorn.main(args=[*uvicorn_arguments(get_settings()), *passed], prog_name="api.serve")


if __name__ == "__main__":
    main()
