"""The FastAPI application: routers, error handlers, and the engine and broker it owns."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import Depends, FastAPI

from api.core.auth import Gatekeeper, KeyedDocs
from api.core.docs import DOC_PATHS, install_docs
from api.core.errors import install_handlers, problem_responses
from api.core.head import HeadAsGet
from api.core.metrics import RequestTimer, StoreCollector, new_registry
from api.core.query_parameters import refuse_unknown_query
from api.core.request_bodies import BodyLimits
from api.events.capacity import Streams, stop_signals
from api.experiments import curation_routes
from api.experiments import routes as experiment_routes
from api.health import routes as health_routes
from api.jobs import routes as job_routes
from api.pages import routes as page_routes
from models.broker import Broker
from models.db import make_engine, make_sessionmaker
from models.settings import Settings, get_settings

DESCRIPTION = (
    "Controlled training experiments on Fashion-MNIST: submit a spec, poll its jobs, read "
    "their per-epoch metrics. Errors are RFC 9457 problem details."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; its database engine and broker client live as long as it runs."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.settings = settings
        app.state.sessionmaker = make_sessionmaker(engine)
        # A GET writes nothing, so its session needs no transaction: without one it spares the
        # BEGIN and ROLLBACK round trips. It sees what a transaction would: under PostgreSQL's
        # READ COMMITTED each statement reads its own snapshot either way. Same engine and pool.
        app.state.read_sessionmaker = make_sessionmaker(
            engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        app.state.broker = Broker(settings)
        store = StoreCollector(app.state.sessionmaker, settings.redis_url, settings.queue)
        metrics_registry.register(store)
        app.state.gatekeeper = Gatekeeper(settings)
        if settings.api_gc_freeze:
            # Everything built so far lives as long as the process: frozen, it is no longer
            # walked by each full collection, which stalls every request in flight while it runs.
            gc.collect()
            gc.freeze()
        to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        app.state.streams = Streams(settings.max_event_streams, settings.max_event_streams_per_key)
        with stop_signals(app.state.streams.stopping):
            yield
        metrics_registry.unregister(store)
        store.close()
        app.state.gatekeeper.close()
        app.state.broker.close()
        engine.dispose()

    app = FastAPI(
        title="normlab",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=problem_responses(),
        dependencies=[Depends(refuse_unknown_query)],
        docs_url=None,
        redoc_url=None,
    )
    install_handlers(app)
    install_docs(app)
    metrics_registry, requests = new_registry()
    app.state.metrics_registry = metrics_registry
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestTimer, histogram=requests)
    app.add_middleware(KeyedDocs, paths={*DOC_PATHS, app.openapi_url or "/openapi.json"})
    app.add_middleware(HeadAsGet)
    # Routes are matched in order: the most polled first; /experiments/compare before
    # /experiments/{experiment_id}.
    for module in (job_routes, curation_routes, experiment_routes, health_routes, page_routes):
        app.include_router(module.router)
    return app


app = create_app()
