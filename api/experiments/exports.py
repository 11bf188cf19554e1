"""An experiment's whole per-epoch history in one call: JSON, CSV or JSON Lines, streamed.

One row per (job, epoch), long form, with the job's short label (what varies across the
experiment, as the report names it), seed, status and config fields as columns, and its
conditions' names (`problems`, `notes`: comma-separated, as in the SQL views), so that
`pandas.read_csv(url)` gives a frame ready to group. Rows are read from the database in
batches while the response is written, so thousands of jobs never sit in memory at once.
"""

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from analysis.labels import flatten, labels
from api.core.errors import NotAcceptable
from models.condition import ConditionKind, JobCondition
from models.job import Job
from models.metric import EpochMetric
from models.spec import JobConfig

Format = Literal["json", "csv", "jsonl"]
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
}
METRICS = ("epoch", "loss", "accuracy", "test_loss", "test_accuracy", "seconds")
CONDITIONS = ("problems", "notes")
ROWS_PER_READ = 2000


JSON_RANGES = {"application/json", "application/*", "*/*"}


def negotiate(request: Request, explicit: Format | None) -> Format:
    """`?format=` wins; else the Accept header (text/csv, application/x-ndjson, JSON); none
    of those acceptable is a 406."""
    if explicit is not None:
        return explicit
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if "ndjson" in accept or "jsonl" in accept:
        return "jsonl"
    ranges = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")} - {""}
    if not ranges or ranges & JSON_RANGES:
        return "json"
    if "text/*" in ranges:
        return "csv"
    raise NotAcceptable(
        f"Accept: {accept}: this export is application/json, text/csv or application/x-ndjson "
        "(or ask with ?format=json|csv|jsonl)"
    )


def _columns() -> tuple[str, ...]:
    config = flatten(JobConfig().resolved().model_dump(mode="json"))
    return ("experiment_id", "job_id", "label", "seed", "status", *config, *CONDITIONS, *METRICS)


COLUMNS = _columns()


def config_labels(configs: list[dict[str, Any]]) -> dict[str, str]:
    """Each distinct config (as canonical JSON) with its short label within the experiment."""
    distinct = {json.dumps(config, sort_keys=True): config for config in configs}
    return dict(zip(distinct, labels(list(distinct.values())), strict=True))


def condition_names(session: Session, experiment_id: int) -> dict[int, dict[str, str | None]]:
    """Per job, its problems' and notes' names: distinct, sorted, comma-separated (or None)."""
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: {c: set() for c in CONDITIONS})
    for job_id, name, kind in session.execute(
        select(JobCondition.job_id, JobCondition.name, JobCondition.kind)
        .join(Job)
        .where(Job.experiment_id == experiment_id)
    ):
        found[job_id]["problems" if kind == ConditionKind.PROBLEM else "notes"].add(name)
    return {
        job_id: {column: ",".join(sorted(names)) or None for column, names in kinds.items()}
        for job_id, kinds in found.items()
    }


def rows(factory: sessionmaker[Session], experiment_id: int) -> Iterator[dict[str, Any]]:
    """Every epoch of every job of the experiment, jobs in creation order, epochs in order."""
    with factory() as session:
        found = session.execute(
            select(Job.id, Job.seed, Job.status, Job.config).where(
                Job.experiment_id == experiment_id
            )
        ).all()
        named = config_labels([config for *_, config in found])
        conditions = condition_names(session, experiment_id)
        none = dict.fromkeys(CONDITIONS)
        jobs = {
            job_id: {
                "experiment_id": experiment_id,
                "job_id": job_id,
                "label": named[json.dumps(config, sort_keys=True)],
                "seed": seed,
                "status": status,
                **flatten(config),
                **conditions.get(job_id, none),
            }
            for job_id, seed, status, config in found
        }
        columns = [getattr(EpochMetric, name) for name in METRICS]
        metrics = (
            select(EpochMetric.job_id, *columns)
            .join(Job)
            .where(Job.experiment_id == experiment_id)
            .order_by(EpochMetric.job_id, EpochMetric.epoch)
            .execution_options(yield_per=ROWS_PER_READ)
        )
        for job_id, *values in session.execute(metrics):
            yield jobs[job_id] | dict(zip(METRICS, values, strict=True))


def _csv(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for count, record in enumerate(records, start=1):
        writer.writerow({k: json.dumps(v) if isinstance(v, list) else v for k, v in record.items()})
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _chunks(lines: Iterator[str], size: int = 500) -> Iterator[str]:
    """Lines gathered into chunks: one write per few hundred rows, not one per row."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield "".join(chunk)
            chunk.clear()
    yield "".join(chunk)


def _jsonl(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    return _chunks(json.dumps(record) + "\n" for record in records)


def _json(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield '{"items": ['
    yield from _chunks(("," if count else "") + json.dumps(r) for count, r in enumerate(records))
    yield "]}"


WRITERS = {"csv": _csv, "jsonl": _jsonl, "json": _json}


def export(request: Request, experiment_id: int, output: Format) -> StreamingResponse:
    """The streamed response in the chosen format."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    body = WRITERS[output](rows(factory, experiment_id))
    filename = f"experiment-{experiment_id}-metrics.{output}"
    headers = {"Content-Disposition": f'inline; filename="{filename}"'}
    return StreamingResponse(body, media_type=MEDIA_TYPES[output], headers=headers)
