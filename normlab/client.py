"""`normlab.Client`: experiments from Python, results as pandas DataFrames."""

import io
import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from normlab.http import Transport
from normlab.progress import ExperimentProgress
from normlab.waiting import follow_with_bar

if TYPE_CHECKING:
    import pandas as pd

Experiment = int | Mapping[str, Any]
DEFAULT_URL = "http://127.0.0.1:8000"
RESULT_FIELDS = ("loss", "accuracy", "test_loss", "test_accuracy")
# The event `with_rounds` adds when an adaptive experiment's new round appears.
ROUND = "round"
Events = Iterator[tuple[str, dict[str, Any]]]


def _id(experiment: Experiment) -> int:
    return int(experiment if isinstance(experiment, int) else experiment["id"])


def _flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Config columns as the metrics export names them: dotted paths, lists as JSON."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, Mapping):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = json.dumps(value) if isinstance(value, list) else value
    return flat


class Client:
    """The normlab API over HTTP: submit, follow, read and cancel experiments."""

    def __init__(self, url: str = DEFAULT_URL, key: str | None = None) -> None:
        self.http = Transport(url, key)

    def submit(self, spec: str | Mapping[str, Any], **overrides: Any) -> dict[str, Any]:
        """Submit a spec (a dict) or a preset (its name); `name=`, `seeds=` and the like
        override the spec's fields. The new experiment, its jobs queued."""
        body = {"preset": spec} if isinstance(spec, str) else dict(spec)
        experiment: dict[str, Any] = self.http.call("POST", "/experiments", body | overrides)
        return experiment

    def experiment(self, experiment: Experiment) -> dict[str, Any]:
        """The experiment: status, counts per job status, its jobs."""
        found: dict[str, Any] = self.http.call("GET", f"/experiments/{_id(experiment)}")
        return found

    def report(self, experiment: Experiment, **query: Any) -> dict[str, Any]:
        """The report: `summary` first, then configs, comparisons, findings, follow-ups;
        `metric=` and `margin=` as the API takes them."""
        suffix = f"?{urlencode(query)}" if query else ""
        report: dict[str, Any] = self.http.call(
            "GET", f"/experiments/{_id(experiment)}/report{suffix}"
        )
        return report

    def cancel(self, experiment: Experiment) -> dict[str, Any]:
        """Cancel every job that has not ended; the experiment after it."""
        answer: dict[str, Any] = self.http.call("POST", f"/experiments/{_id(experiment)}/cancel")
        return answer

    def follow_ups(self, experiment: Experiment) -> dict[str, Any]:
        """Run every follow-up of the report that has not run, as one new experiment on the
        same seeds; the new experiment (`follow_up_of` names this one). The report's follow-ups
        then carry what each confirmed (`confirmation`)."""
        path = f"/experiments/{_id(experiment)}/follow-ups"
        created: dict[str, Any] = self.http.call("POST", path)
        return created

    def rediagnose(self, experiment: Experiment) -> dict[str, Any]:
        """Diagnose every ended job again from its stored epochs, with the rules the server runs
        now: `{"experiment_id", "jobs", "changed"}`."""
        done: dict[str, Any] = self.http.call("POST", f"/experiments/{_id(experiment)}/rediagnose")
        return done

    def progress(self, experiment: Experiment) -> ExperimentProgress:
        """Each job's label, seed, status and finished epochs, as of now."""
        return ExperimentProgress.of(self.experiment(experiment), self.report(experiment))

    def events(self, experiment: Experiment) -> Iterator[tuple[str, dict[str, Any]]]:
        """The experiment's events from its first, (kind, data) pairs, until every job ended."""
        return self.http.events(f"/experiments/{_id(experiment)}/events")

    def wait(self, experiment: Experiment, progress: bool = True) -> dict[str, Any]:
        """Follow the experiment until every job has ended (an adaptive one: until it added
        its last round and that ended), with a progress bar in a terminal or a notebook; the
        experiment as it ended."""
        board = self.progress(experiment)
        follow_with_bar(board, with_rounds(self, board, self.events(experiment)), show=progress)
        return self.experiment(experiment)

    def metrics(self, experiment: Experiment) -> "pd.DataFrame":
        """One row per job and epoch: experiment_id, job_id, label, seed, status, the config's
        fields as columns, epoch, loss, accuracy, test_loss, test_accuracy, seconds."""
        import pandas as pd  # the client extra: only these two methods need it

        path = f"/experiments/{_id(experiment)}/metrics?format=csv"
        return pd.read_csv(io.StringIO(self.http.text("GET", path, accept="text/csv")))

    def jobs(self, experiment: Experiment) -> "pd.DataFrame":
        """One row per job: experiment_id, job_id, label, seed, status, the config's fields as
        columns, epochs_done, the final loss, accuracy, test_loss and test_accuracy, error."""
        import pandas as pd

        found = self.experiment(experiment)
        labels = ExperimentProgress.of(found, self.report(found))
        rows = [
            {
                "experiment_id": found["id"],
                "job_id": job["id"],
                "label": labels.jobs[job["id"]].label,
                "seed": job["seed"],
                "status": job["status"],
                **_flatten(job["config"]),
                "epochs_done": job["progress"]["epoch"],
                **{name: (job["result"] or {}).get(name) for name in RESULT_FIELDS},
                "error": job["error"],
            }
            for job in found["jobs"]
        ]
        return pd.DataFrame(rows)


def with_rounds(client: Client, board: ExperimentProgress, events: Events) -> Events:
    """The events, with a `round` event (its line) whenever a new round's jobs appear: the
    board is read again then, so that it has the new jobs with their labels."""
    for kind, data in events:
        if kind == "status" and not board.knows(data):
            for line in board.grow(client.progress(board.id)):
                yield ROUND, {"line": line}
        yield kind, data
