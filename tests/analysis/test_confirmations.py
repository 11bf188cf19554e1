"""A follow-up's outcome on made-up runs: confirmed, open, or pending."""

from analysis.report.build import report_of
from analysis.report.groups import group_jobs
from analysis.report.records import JobRecord
from models.spec import JobConfig
from tests.analysis.test_findings import CLIPPED, RAW, SCALED, condition, jobs

SATURATED = condition("saturated_softmax", "output.saturated_share", 0.95)
STALL = condition("clipped_stall", "output.clipped_true_share", 0.86, "job", SATURATED.name)
CHANCE = condition("at_chance", "test_accuracy", 0.1, "job", STALL.name)


def raw_clipped() -> list[JobRecord]:
    """The seed's raw run: saturated from the start, stalled at the clip, at chance."""
    return jobs(RAW | CLIPPED, [13.0, 13.1], conditions=[SATURATED, STALL, CHANCE])


def summary_and_follow_ups(
    original: list[JobRecord], follow_up: list[JobRecord]
) -> tuple[list[str], dict[str, dict[str, object]]]:
    """The original's report with the follow-up experiment (id 7) as a run of its changes."""
    groups = group_jobs(original)
    runs = [(1, groups), (7, group_jobs(follow_up))]
    report = report_of(groups, experiment_id=1, name="raw", status="succeeded", runs=runs)
    found = {f.condition: f.model_dump()["confirmation"] for f in report.follow_ups}
    return report.summary, found


def test_a_follow_up_that_removes_the_condition_and_improves_the_loss_is_confirmed() -> None:
    scaled = jobs(SCALED | CLIPPED, [0.33, 0.34])
    summary, found = summary_and_follow_ups(raw_clipped(), scaled)
    assert found["saturated_softmax"] == {
        "experiment_id": 7,
        "verdict": "confirmed",
        "statement": "With inputs scaled to [0, 1] (x/255), a saturated softmax from the start "
        "is gone (0 of 2 seeds) and test loss 0.335 against 13.1; a real difference over 2 "
        "seeds.",
    }
    assert found["clipped_stall"] is None  # its changed config was not run
    assert any(s.startswith("Confirmed by experiment 7 (a saturated softmax") for s in summary)


def test_a_follow_up_whose_run_still_fails_leaves_the_diagnosis_open() -> None:
    logits = JobConfig.model_validate(RAW | CLIPPED).resolved().model_dump(mode="json")
    logits["loss"] = {"mode": "from_logits"}
    stuck = jobs(logits, [2.4, 2.4], conditions=[condition("at_chance", "test_accuracy", 0.1)])
    summary, found = summary_and_follow_ups(raw_clipped(), stuck)
    stall = found["clipped_stall"]
    assert stall is not None
    assert stall["verdict"] == "not_confirmed"
    assert stall["statement"] == (
        "With the loss computed from the logits, a stall at the 1e-7 clip went away (0 of 2 "
        "seeds) and test loss 2.4 against 13.1; a real difference over 2 seeds, and the run "
        "still did not learn (at chance, no cause found)."
    )
    assert any(s.startswith("Still open: experiment 7 did not confirm") for s in summary)


def test_a_follow_up_with_jobs_to_run_is_pending() -> None:
    queued = jobs(SCALED | CLIPPED, [0.33, 0.34])
    for job in queued:
        job.status, job.final, job.epochs = "queued", None, []
    _, found = summary_and_follow_ups(raw_clipped(), queued)
    assert found["saturated_softmax"] == {
        "experiment_id": 7,
        "verdict": "pending",
        "statement": "2 jobs of the follow-up still to run.",
    }
