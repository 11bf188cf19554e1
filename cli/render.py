"""Text for the terminal: the job table, the report."""

from typing import Any

from normlab.progress import ExperimentProgress, round_line


def status_lines(experiment: dict[str, Any], board: ExperimentProgress) -> list[str]:
    """The experiment's header and one line per job, named by its config's short label."""
    counts = ", ".join(f"{n} {status}" for status, n in experiment["counts"].items() if n)
    lines = [
        f"experiment {experiment['id']} '{experiment['name']}': {experiment['status']} ({counts})"
    ]
    lines += [f"  {round_line(record)}" for record in experiment.get("rounds") or []]
    if experiment.get("stopped"):
        lines.append(f"  stopped: {experiment['stopped']}")
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


def _config_line(row: dict[str, Any]) -> str:
    final = row["final_test_loss"]
    if final is None:
        return f"  {row['label']}: no result yet"
    problems = [c["name"] for c in row["conditions"] if c["kind"] == "problem"]
    found = f"; problems: {', '.join(problems)}" if problems else ""
    return (
        f"  {row['label']}: test loss {final['mean']:.4f}{_interval(final)}, n={final['n']}{found}"
    )


def report_lines(report: dict[str, Any]) -> list[str]:
    """The answer first, then per-config results and conditions, the pairs, the follow-ups."""
    header = f"experiment {report['experiment_id']} '{report['name']}': {report['status']}"
    lines = [header, "", "answer:"] + [f"- {sentence}" for sentence in report["summary"]]
    lines += ["", "configs:"] + [_config_line(row) for row in report["configs"]]
    lines += ["", f"pairs on {report['metric']}:"] + [
        f"- {f['statement']}" for f in report["findings"]
    ]
    if report["follow_ups"]:
        lines += ["", "follow-ups (normlab follow-up EXPERIMENT NUMBER):"] + [
            f"  {f['number']}. {f['config']}: {f['condition']}; try {f['change']}"
            for f in report["follow_ups"]
        ]
    return lines
