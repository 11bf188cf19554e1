"""The report as the terminal shows it: the figure it was asked for, in words."""

from typing import Any

from cli.render import report_lines


def interval(mean: float) -> dict[str, Any]:
    """A final figure over two seeds."""
    return {"n": 2, "mean": mean, "std": 0.01, "ci_low": mean - 0.1, "ci_high": mean + 0.1}


def report(metric: str) -> dict[str, Any]:
    """A report of one config, compared on `metric`."""
    row = {
        "label": "x/255",
        "conditions": [],
        "final_loss": interval(0.3),
        "final_accuracy": interval(0.89),
        "final_test_loss": interval(0.37),
        "final_test_accuracy": interval(0.86),
    }
    return {
        "experiment_id": 1,
        "name": "seed",
        "status": "succeeded",
        "provisional": False,
        "summary": ["x/255 learned."],
        "configs": [row],
        "metric": metric,
        "findings": [],
        "follow_ups": [],
    }


def test_the_report_shows_the_figure_it_compares_configs_on() -> None:
    for metric, line, pairs in (
        ("test_loss", "  x/255: test loss 0.3700 (95% CI 0.2700 to 0.4700), n=2", "test loss"),
        ("loss", "  x/255: train loss 0.3000 (95% CI 0.2000 to 0.4000), n=2", "train loss"),
        ("test_accuracy", "  x/255: test accuracy 0.8600", "test accuracy"),
        ("accuracy", "  x/255: train accuracy 0.8900", "train accuracy"),
    ):
        lines = report_lines(report(metric))
        assert any(shown.startswith(line) for shown in lines), lines
        assert f"pairs on {pairs}: none: a comparison needs two configs with results" in lines


def test_no_heading_is_left_without_a_line_under_it() -> None:
    lines = report_lines(report("test_loss"))
    headings = [i for i, line in enumerate(lines) if line.endswith(":")]
    assert headings  # "configs:" at least
    assert all(lines[i + 1].strip() for i in headings if i + 1 < len(lines))
    assert not lines[-1].endswith(":")


def test_pairs_are_listed_under_their_heading_and_none_is_said_only_without_them() -> None:
    compared = report("test_loss") | {"findings": [{"statement": "x/1000 instead of x/255: ..."}]}
    lines = report_lines(compared)
    at = lines.index("pairs on test loss:")
    assert lines[at + 1] == "- x/1000 instead of x/255: ..."
    assert not any("needs two configs" in line for line in lines)
