"""Text for the terminal: the job table, the report."""

from typing import Any

from normlab.progress import ExperimentProgress


def status_lines(experiment: dict[str, Any], board: ExperimentProgress) -> list[str]:
    """The experiment's header and one line per job, named by its config's short label."""
    counts = ", ".join(f"{n} {status}" for status, n in experiment["counts"].items() if n)
    lines = [
        f"experiment {experiment['id']} '{experiment['name']}': {experiment['status']} ({counts})"
    ]
    for job in experiment["jobs"]:
        result = job["result"] or {}
        figures = (
            f"test loss {result['test_loss']:.4f}" if result.get("test_loss") is not None else ""
        )
        lines.append(
            f"  job {job['id']:>6}  seed {job['seed']:<4} {job['status']:<10} "
            f"epoch {job['progress']['epoch']}/{job['progress']['epochs']}  "
            f"{board.jobs[job['id']].label}  {figures}"
        )
    return lines


def _interval(final: dict[str, Any]) -> str:
    if final["ci_low"] is None:
        return ""
    return f" (95% CI {final['ci_low']:.4f} to {final['ci_high']:.4f})"


def metric_words(metric: str) -> str:
    """`test_loss` -> 'test loss', `loss` -> 'train loss'."""
    return metric.replace("_", " ") if metric.startswith("test_") else f"train {metric}"


def _config_line(row: dict[str, Any], metric: str) -> str:
    final = row[f"final_{metric}"]
    if final is None:
        return f"  {row['label']}: no result yet"
    problems = [c["name"] for c in row["conditions"] if c["kind"] == "problem"]
    found = f"; problems: {', '.join(problems)}" if problems else ""
    figure = f"{metric_words(metric)} {final['mean']:.4f}{_interval(final)}"
    return f"  {row['label']}: {figure}, n={final['n']}{found}"


def report_lines(report: dict[str, Any]) -> list[str]:
    """The answer first, then per-config results and conditions, the pairs, the follow-ups."""
    header = f"experiment {report['experiment_id']} '{report['name']}': {report['status']}"
    lines = [header, "", "answer:"] + [f"- {sentence}" for sentence in report["summary"]]
    metric = report["metric"]
    lines += ["", "configs:"] + [_config_line(row, metric) for row in report["configs"]]
    lines += ["", f"pairs on {metric_words(metric)}:"] + [
        f"- {f['statement']}" for f in report["findings"]
    ]
    if report["follow_ups"]:
        lines += ["", "follow-ups (normlab follow-up EXPERIMENT NUMBER):"] + [
            f"  {f['number']}. {f['config']}: {f['condition']}; try {f['change']}"
            for f in report["follow_ups"]
        ]
    return lines
