"""Text for the terminal: the job table, the report, what a rediagnosis changed."""

from typing import Any

from normlab.progress import ExperimentProgress, round_line


def answer_heading(report: dict[str, Any]) -> str:
    """`answer:`, marked provisional while any of the experiment's jobs has not ended (the
    summary says how many)."""
    return "answer (provisional):" if report["provisional"] else "answer:"


def plural(n: int, noun: str) -> str:
    """`1 job`, `2 jobs`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


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


def _follow_up_lines(follow_up: dict[str, Any]) -> list[str]:
    """The follow-up, and what running it showed once it ran."""
    lines = [
        f"  {follow_up['number']}. {follow_up['config']}: {follow_up['condition']}; "
        f"try {follow_up['change']}"
    ]
    if (c := follow_up["confirmation"]) is not None:
        verdict = c["verdict"].replace("_", " ")
        lines.append(f"     {verdict} (experiment {c['experiment_id']}): {c['statement']}")
    return lines


def report_lines(report: dict[str, Any]) -> list[str]:
    """The answer first, then per-config results and conditions, the pairs, the follow-ups with
    what each confirmed."""
    experiment_id = report["experiment_id"]
    header = f"experiment {experiment_id} '{report['name']}': {report['status']}"
    lines = [header, "", answer_heading(report)] + [f"- {s}" for s in report["summary"]]
    metric = report["metric"]
    lines += ["", "configs:"] + [_config_line(row, metric) for row in report["configs"]]
    pairs = [f"- {f['statement']}" for f in report["findings"]]
    nothing = " none: a comparison needs two configs with results" if not pairs else ""
    lines += ["", f"pairs on {metric_words(metric)}:{nothing}", *pairs]
    if report["follow_ups"]:
        how = f"all: normlab follow-up {experiment_id}; one: normlab follow-up {experiment_id} N"
        lines += ["", f"follow-ups ({how}):"]
        lines += [line for f in report["follow_ups"] for line in _follow_up_lines(f)]
    return lines


def _held(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per config label: each condition (with its layer) -> how many seeds show it, its cause."""
    held: dict[str, dict[str, str]] = {}
    for row in report["configs"]:
        for c in row["conditions"]:
            name = c["name"] if c["subject"] == "job" else f"{c['name']} ({c['subject']})"
            cause = f", follows from {c['caused_by']}" if c["caused_by"] else ""
            held.setdefault(row["label"], {})[name] = f"{c['seeds']}/{c['of']} seeds{cause}"
    return held


def rediagnosis_lines(
    done: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> list[str]:
    """How many ended jobs were diagnosed again, then per config the conditions it gained,
    lost or now holds otherwise, from the report before and after."""
    changed = f"{done['changed']} changed" if done["changed"] else "none changed"
    ended = plural(done["jobs"], "ended job")
    lines = [f"experiment {done['experiment_id']}: {ended} diagnosed again, {changed}"]
    was, now = _held(before), _held(after)
    for label in dict.fromkeys([*now, *was]):
        old, new = was.get(label, {}), now.get(label, {})
        parts = [f"now {name} ({held})" for name, held in new.items() if old.get(name) != held]
        parts += [f"no longer {name}" for name in old if name not in new]
        if parts:
            lines.append(f"  {label}: {'; '.join(parts)}")
    return lines
