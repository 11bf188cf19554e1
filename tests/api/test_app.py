"""The app as create_app builds it: what it configures for the process it runs in."""

from anyio import to_thread
from fastapi.testclient import TestClient

from api.main import create_app
from models.settings import Settings


def test_sync_routes_run_on_as_many_threads_as_configured(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"api_threads": 3}))) as client:
        assert client.portal is not None  # the app's event loop, running while the client is open
        tokens = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == 3
