"""An experiment's progress as its event stream tells it: each job's epoch, figures and status."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENDED = frozenset({"succeeded", "failed", "cancelled"})


@dataclass
class JobProgress:
    """One job: its config's short label, seed, status, finished epochs and latest figures."""

    id: int
    label: str
    seed: int
    status: str
    epoch: int
    epochs: int
    loss: float | None = None
    accuracy: float | None = None

    @property
    def ended(self) -> bool:
        """Whether the job has reached a final status."""
        return self.status in ENDED

    @property
    def planned(self) -> int:
        """Epochs it will have run: all of them, unless it ended early."""
        return self.epoch if self.ended and self.status != "succeeded" else self.epochs

    def describe(self) -> str:
        """`job 12 (x/255, seed 0)`."""
        return f"job {self.id} ({self.label}, seed {self.seed})"


def round_line(record: Mapping[str, Any]) -> str:
    """`round 2: x/255 6, raw pixels 3` (seeds per config), or a search's trials."""
    if record.get("seeds"):
        seeds = ", ".join(f"{label} {n}" for label, n in record["seeds"].items())
        return f"round {record['round']}: seeds per config {seeds}"
    finalists = record.get("finalists")
    if finalists:
        return f"round {record['round']}: finalists {', '.join(finalists)} on more seeds"
    return f"round {record['round']}: {record.get('trials')} trials asked"


@dataclass
class ExperimentProgress:
    """Every job of one experiment, in creation order, updated event by event; an adaptive
    experiment's rounds too."""

    id: int
    jobs: dict[int, JobProgress] = field(default_factory=dict)
    rounds: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None

    @classmethod
    def of(cls, experiment: Mapping[str, Any], report: Mapping[str, Any]) -> "ExperimentProgress":
        """From `GET /experiments/{id}` and the labels of its report's configs."""
        labels = {job: row["label"] for row in report["configs"] for job in row["job_ids"]}
        jobs = {
            job["id"]: JobProgress(
                id=job["id"],
                label=labels.get(job["id"], ""),
                seed=job["seed"],
                status=job["status"],
                epoch=job["progress"]["epoch"],
                epochs=job["progress"]["epochs"],
            )
            for job in experiment["jobs"]
        }
        rounds = list(experiment.get("rounds") or [])
        return cls(experiment["id"], jobs, rounds, experiment.get("stopped"))

    def knows(self, data: Mapping[str, Any]) -> bool:
        """Whether an event is of a job the board has (a new round's job is not, yet)."""
        return data.get("job_id", -1) in self.jobs

    def grow(self, newer: "ExperimentProgress") -> list[str]:
        """Take the jobs and rounds a newer reading of the experiment has; the new rounds'
        lines."""
        for job_id, job in newer.jobs.items():
            self.jobs.setdefault(job_id, job)
        added = [round_line(record) for record in newer.rounds[len(self.rounds) :]]
        self.rounds, self.stopped = newer.rounds, newer.stopped
        return added

    def apply(self, kind: str, data: Mapping[str, Any]) -> JobProgress | None:
        """Take one event of the stream; the job it concerns, if any."""
        job = self.jobs.get(data.get("job_id", -1))
        if job is None:
            return None
        if kind == "epoch":
            # A stream replayed from its start repeats epochs already counted.
            job.epoch = max(job.epoch, data["epoch"])
            job.loss, job.accuracy = data.get("loss"), data.get("accuracy")
        elif kind == "status":
            job.status = data["status"]
        return job

    @property
    def epochs_done(self) -> int:
        """Finished epochs over every job."""
        return sum(job.epoch for job in self.jobs.values())

    @property
    def epochs_planned(self) -> int:
        """Epochs every job will have run once all have ended."""
        return sum(job.planned for job in self.jobs.values())

    @property
    def ended(self) -> int:
        """Jobs that have ended."""
        return sum(job.ended for job in self.jobs.values())
