"""`GET /metrics` for Prometheus: jobs by status, queue depth, job and epoch durations from the
database (so every API process reports the same), and this process's request latencies."""

import logging
import time
from collections.abc import Iterator, Sequence

import redis
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import ColumnElement, SQLColumnExpression, case, func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.job import Job, JobStatus
from models.metric import EpochMetric
from models.tasks import maintenance_queue

log = logging.getLogger(__name__)
JOB_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600)
EPOCH_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


def _seconds_between(session: Session) -> SQLColumnExpression[float]:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(Job.finished_at) - func.julianday(Job.started_at)) * 86400.0
    return func.extract("epoch", Job.finished_at - Job.started_at)


def _histogram(
    session: Session,
    name: str,
    documentation: str,
    value: SQLColumnExpression[float],
    where: ColumnElement[bool],
    buckets: Sequence[float],
) -> HistogramMetricFamily:
    """A histogram of `value` over the rows matching `where`, counted in one query."""
    columns = [func.sum(case((value <= bound, 1), else_=0)) for bound in buckets]
    row = session.execute(select(*columns, func.count(), func.sum(value)).where(where)).one()
    counts = [int(v or 0) for v in row[:-1]]
    family = HistogramMetricFamily(name, documentation)
    cumulative = [(str(bound), count) for bound, count in zip(buckets, counts, strict=False)]
    family.add_metric([], [*cumulative, ("+Inf", counts[-1])], sum_value=float(row[-1] or 0.0))
    return family


class StoreCollector(Collector):
    """Reads the figures from the database and Redis at each scrape."""

    def __init__(self, factory: sessionmaker[Session], redis_url: str, queue: str) -> None:
        self.factory = factory
        self.redis = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
        self.queues = (queue, maintenance_queue(queue))

    def collect(self) -> Iterator[Metric]:
        """One scrape's metric families."""
        with self.factory() as session:
            yield self._jobs_by_status(session)
            yield _histogram(
                session,
                "normlab_job_duration_seconds",
                "Jobs' run time, claim to end.",
                _seconds_between(session),
                Job.finished_at.is_not(None),
                JOB_BUCKETS,
            )
            yield _histogram(
                session,
                "normlab_epoch_seconds",
                "Training time of each finished epoch.",
                EpochMetric.seconds,
                EpochMetric.epoch > 0,
                EPOCH_BUCKETS,
            )
        yield self._queue_depth()

    def close(self) -> None:
        """Close its Redis connections."""
        self.redis.close()

    def _jobs_by_status(self, session: Session) -> GaugeMetricFamily:
        family = GaugeMetricFamily("normlab_jobs", "Jobs by status.", labels=["status"])
        found = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        for status in JobStatus:
            family.add_metric([status.value], found.get(status.value, 0))
        return family

    def _queue_depth(self) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "normlab_queue_depth", "Tasks waiting in the broker.", labels=["queue"]
        )
        for queue in self.queues:
            try:
                family.add_metric([queue], float(self.redis.llen(queue)))
            except redis.RedisError:
                log.warning("queue depth unknown: Redis unavailable")
        return family


class RequestTimer:
    """ASGI middleware timing every request, labelled by route template, method and status."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request until its response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), ["500"]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = str(message["status"])
                route = getattr(scope.get("route"), "path", "unmatched")
                self.histogram.labels(scope["method"], route, status[0]).observe(
                    time.perf_counter() - started
                )
            await send(message)

        await self.app(scope, receive, sending)


def new_registry() -> tuple[CollectorRegistry, Histogram]:
    """A registry of this app's own, with the request histogram recorded into it."""
    own = CollectorRegistry()
    requests = Histogram(
        "normlab_http_request_duration_seconds",
        "API request latency.",
        ["method", "route", "status"],
        buckets=REQUEST_BUCKETS,
        registry=own,
    )
    return own, requests
