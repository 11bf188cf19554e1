"""Jobs folded into config groups (one per distinct config, its seeds together), with labels."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from api.report.records import JobRecord
from api.report.statistics import Summary, summarize


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`; lists stay values."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def preprocessing_label(config: dict[str, Any]) -> str:
    """`x/255`, `raw pixels`, or the method's name."""
    method = config["preprocessing"]["method"]
    if method == "scale":
        return f"x/{config['preprocessing']['divisor']:g}"
    return "raw pixels" if method == "none" else method


@dataclass
class ConfigGroup:
    """The jobs of one distinct config; `jobs` holds those that succeeded."""

    key: str
    config: dict[str, Any]
    label: str
    jobs: list[JobRecord]
    job_ids: list[int]

    def finals(self, name: str) -> dict[int, float]:
        """Seed -> final figure, for succeeded jobs whose figure is finite."""
        values = {job.seed: job.final.get(name) if job.final else None for job in self.jobs}
        return {seed: v for seed, v in values.items() if v is not None and math.isfinite(v)}

    def final_summary(self, name: str) -> Summary | None:
        """Mean and interval of a final figure over the seeds."""
        values = list(self.finals(name).values())
        return summarize(values) if values else None

    def epoch_values(self, epoch: int, name: str) -> list[float]:
        """A metric at one epoch, over the seeds that have it."""
        values = [job.epochs.get(epoch, {}).get(name) for job in self.jobs]
        return [v for v in values if v is not None]

    def diagnostic(self, epoch: int, name: str) -> float | None:
        """A diagnostic's mean over the seeds at one epoch (None if no seed has it)."""
        values = [job.diagnostics.get(epoch, {}).get(name) for job in self.jobs]
        present = [v for v in values if v is not None]
        return math.fsum(present) / len(present) if present else None

    @property
    def last_epoch(self) -> int:
        """The last epoch every succeeded job reached."""
        return min((job.last_epoch() for job in self.jobs), default=0)

    def path(self, dotted: str) -> Any:
        """The value of a dotted config path."""
        return flatten(self.config)[dotted]


def varying_paths(configs: Sequence[dict[str, Any]]) -> list[str]:
    """Config paths whose values differ between the given configs."""
    flats = [flatten(config) for config in configs]
    return (
        [path for path in flats[0] if len({repr(flat[path]) for flat in flats}) > 1]
        if flats
        else []
    )


def label(config: dict[str, Any], paths: Sequence[str]) -> str:
    """A short name from the varying paths, preprocessing written as people write it."""
    flat = flatten(config)
    parts = (
        [preprocessing_label(config)] if any(p.startswith("preprocessing.") for p in paths) else []
    )
    parts += [
        f"{path.split('.')[-1]}={flat[path]}"
        for path in paths
        if not path.startswith("preprocessing.")
    ]
    return ", ".join(parts) or preprocessing_label(config)


def group_jobs(records: Sequence[JobRecord]) -> list[ConfigGroup]:
    """One group per config key, in the order the configs first appear."""
    by_key: dict[str, list[JobRecord]] = {}
    for record in records:
        by_key.setdefault(record.config_key, []).append(record)
    paths = varying_paths([jobs[0].config for jobs in by_key.values()])
    return [
        ConfigGroup(
            key=key,
            config=jobs[0].config,
            label=label(jobs[0].config, paths),
            jobs=[job for job in jobs if job.final is not None],
            job_ids=[job.id for job in jobs],
        )
        for key, jobs in by_key.items()
    ]


def differs_only_in(a: ConfigGroup, b: ConfigGroup, prefix: str) -> bool:
    """Whether two groups' configs differ, and only in paths under `prefix`."""
    fa, fb = flatten(a.config), flatten(b.config)
    differing = [path for path in fa if fa[path] != fb.get(path)]
    return bool(differing) and all(path.startswith(prefix) for path in differing)
