"""Query speed at scale: 100,000 jobs and 1,000,000 epoch rows in PostgreSQL, one API process.

Seeds the rows with set-based SQL, then times a filtered, sorted page of GET /jobs, a page of
one experiment's jobs, and one experiment's whole history (GET /experiments/{id}/metrics),
sequentially, as p50 and p95 of many requests.
"""

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from harness.service import Service, running_api

EXPERIMENTS, JOBS_PER_EXPERIMENT, EPOCHS = 1000, 100, 9  # epochs 0..9: 10 rows a job
METHODS = ["none", "scale", "center", "minmax", "standardize", "standardize_per_pixel"]

SEED_SQL = [
    """INSERT INTO experiments (id, name, spec, created_at)
       SELECT e, 'bench ' || e, '{}'::jsonb, now() - (e || ' minutes')::interval
       FROM generate_series(1, :experiments) AS e""",
    """INSERT INTO jobs (id, experiment_id, status, config, config_key, seed, epochs, epochs_done,
                        attempt, batches_done, batches_total, final_loss, final_accuracy,
                        final_test_loss, final_test_accuracy, stuck, created_at)
       SELECT j, (j - 1) / :per + 1, 'succeeded',
              jsonb_build_object(
                'dataset', jsonb_build_object('name', 'fashion_mnist', 'train_size', 60000,
                                              'test_size', 10000),
                'preprocessing', jsonb_build_object('method', ((:methods)::text[])[1 + j % 6],
                                                    'divisor', CASE WHEN j % 6 = 1 THEN 255 END),
                'model', jsonb_build_object('hidden_layers', '[128]'::jsonb, 'activation', 'relu',
                                            'initializer', 'glorot_uniform'),
                'training', jsonb_build_object('optimizer', 'adam', 'learning_rate', 0.001,
                                               'momentum', 0.0, 'epochs', :epochs,
                                               'batch_size', 32),
                'loss', jsonb_build_object('mode', 'from_logits')),
              md5((j % 6)::text), j % 5, :epochs, :epochs, 1, 0, 0,
              0.3 + random(), 0.8, 0.3 + random(), 0.85, j % 6 = 0, now()
       FROM generate_series(1, :jobs) AS j""",
    """INSERT INTO epoch_metrics (job_id, epoch, loss, accuracy, test_loss, test_accuracy, seconds)
       SELECT j, e, 2.3 / (e + 1), 0.8, 2.3 / (e + 1), 0.8, 0.5
       FROM generate_series(1, :jobs) AS j, generate_series(0, :epochs) AS e""",
    "SELECT setval('experiments_id_seq', :experiments)",
    "SELECT setval('jobs_id_seq', :jobs)",
    "ANALYZE",
]


def seed(database_url: str) -> None:
    """Fill the database with the benchmark's rows."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    values = {
        "experiments": EXPERIMENTS,
        "per": JOBS_PER_EXPERIMENT,
        "jobs": EXPERIMENTS * JOBS_PER_EXPERIMENT,
        "epochs": EPOCHS,
        "methods": "{" + ",".join(METHODS) + "}",
    }
    with engine.begin() as connection:
        for statement in SEED_SQL:
            names = {k: v for k, v in values.items() if f":{k}" in statement}
            connection.execute(text(statement), names)
    engine.dispose()


def timed(service: Service, path: str, runs: int) -> dict[str, float]:
    """p50 and p95 of sequential requests to one path, after two warm-up requests."""
    for _ in range(2):
        assert service.http.get(path).status_code == 200
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        response = service.http.get(path)
        seconds.append(time.perf_counter() - start)
        assert response.status_code == 200, response.text
    quantiles = statistics.quantiles(seconds, n=20)
    return {"p50_ms": 1000 * statistics.median(seconds), "p95_ms": 1000 * quantiles[18]}


FILTERED = "preprocessing.method=none,center&result.test_loss<0.8&sort=result.test_loss&limit=50"
QUERIES = {
    "jobs: filtered by config and result, sorted, page of 50": f"/jobs?{FILTERED}",
    "jobs: one experiment's page of 50": "/jobs?experiment_id=500&limit=50",
    "experiment history: 100 jobs x 10 epochs, JSON": "/experiments/500/metrics",
    "experiment history: CSV": "/experiments/500/metrics?format=csv",
}


def measure(database_url: str, redis_url: str, runs: int = 200) -> dict[str, Any]:
    """Seed, start one API process, and time each query."""
    seed(database_url)
    with (
        tempfile.TemporaryDirectory() as logs,
        running_api(database_url, redis_url, Path(logs)) as service,
    ):
        return {name: timed(service, path, runs) for name, path in QUERIES.items()}
