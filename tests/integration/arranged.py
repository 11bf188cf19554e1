"""Ended jobs written straight into a service's database, with the conditions a test needs: a
report with follow-ups for the pages and the command line to show, without training for it."""

from models.base import utcnow
from models.db import make_engine, make_sessionmaker
from models.experiment import Experiment
from models.job import JobStatus
from models.spec import JobConfig
from tests.rows import epoch_rows, job_row, saturated_condition

RAW_PIXELS = {
    "dataset": {"train_size": 1000, "test_size": 300},
    "preprocessing": {"method": "none"},
    "training": {"epochs": 1},
}
# (epoch, train loss, train accuracy, test loss, test accuracy): stuck where raw pixels stick.
EPOCHS = ((0, 14.5, 0.1, 14.5, 0.1), (1, 12.9, 0.2, 13.0, 0.19))


def saturated_experiment(
    database_url: str, name: str, *, stopped_early: dict[str, object] | None = None
) -> int:
    """Raw pixels on seeds 0 and 1, both succeeded with a saturated softmax from the start: its
    report suggests one follow-up (inputs scaled to [0, 1]). The stored epochs carry no
    diagnostics, so a rediagnosis finds no condition. Seed 1 has `stopped_early` if given."""
    engine = make_engine(database_url)
    config = JobConfig.model_validate(RAW_PIXELS).resolved()
    try:
        with make_sessionmaker(engine)() as session:
            experiment = Experiment(name=name, spec={})
            for seed in (0, 1):
                epoch, loss, accuracy, test_loss, test_accuracy = EPOCHS[-1]
                job = job_row(
                    experiment,
                    config,
                    seed,
                    epochs_done=epoch,
                    status=JobStatus.SUCCEEDED,
                    finished_at=utcnow(),
                    final_loss=loss,
                    final_accuracy=accuracy,
                    final_test_loss=test_loss,
                    final_test_accuracy=test_accuracy,
                    stuck=True,
                    stopped_early=stopped_early if seed == 1 else None,
                )
                session.add(job)
                session.flush()
                session.add_all(epoch_rows(job.id, EPOCHS))
                session.add(saturated_condition(job.id))
            session.commit()
            return experiment.id
    finally:
        engine.dispose()
