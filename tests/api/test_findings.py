"""Each finding rule triggered by made-up numbers, and kept silent when the numbers say so."""

from typing import Any

from api.report.comparisons import compare_all
from api.report.findings import Finding, all_findings
from api.report.groups import ConfigGroup, group_jobs
from api.report.records import JobRecord
from models.spec import JobConfig

SCALED = {"preprocessing": {"method": "scale", "divisor": 255}}
RAW = {"preprocessing": {"method": "none"}}
THOUSAND = {"preprocessing": {"method": "scale", "divisor": 1000}}
CLIPPED = {"loss": {"mode": "clipped_probabilities"}}
UNIT = {"input.max": 1.0, "input.std": 0.35, "output.logit_std": 0.6, "output.saturated_share": 0.0}
PIXELS = {
    "input.max": 255.0,
    "input.std": 90.0,
    "output.logit_std": 150.0,
    "output.saturated_share": 0.8,
}

_ids = iter(range(1, 10_000))


def jobs(
    sections: dict[str, Any],
    test_losses: list[float],
    *,
    loss: float = 0.3,
    epoch0: dict[str, float] | None = None,
    later: dict[str, float] | None = None,
    stuck: bool = False,
    gaps: tuple[float, float] = (0.0, 0.0),
) -> list[JobRecord]:
    """One succeeded job per test loss (seeds 0, 1, ...) with two epochs and diagnostics."""
    config = JobConfig.model_validate(sections).resolved()
    records = []
    for seed, test_loss in enumerate(test_losses):
        epochs: dict[int, dict[str, float | None]] = {
            0: {"loss": 2.3, "test_loss": 2.3, "test_accuracy": 0.1, "accuracy": 0.1},
            1: {
                "loss": loss,
                "test_loss": test_loss + gaps[0],
                "test_accuracy": 0.8,
                "accuracy": 0.8,
            },
            2: {
                "loss": loss,
                "test_loss": test_loss + gaps[1],
                "test_accuracy": 0.85,
                "accuracy": 0.85,
            },
        }
        final: dict[str, float | None] = {
            "loss": loss,
            "accuracy": 0.85,
            "test_loss": test_loss,
            "test_accuracy": 0.85,
        }
        diagnostics: dict[int, dict[str, float | None]] = {
            0: dict(epoch0 or UNIT),
            1: dict(later or {}),
            2: dict(later or {}),
        }
        records.append(
            JobRecord(
                next(_ids),
                seed,
                "succeeded",
                config.model_dump(mode="json"),
                config.key(),
                stuck,
                final,
                epochs,
                diagnostics,
            )
        )
    return records


def findings(*record_lists: list[JobRecord]) -> list[Finding]:
    """All findings of the groups made of these jobs."""
    groups: list[ConfigGroup] = group_jobs([r for records in record_lists for r in records])
    return all_findings(groups, compare_all(groups))


def ids(found: list[Finding]) -> list[str]:
    """The ids of the findings."""
    return [finding.id for finding in found]


def test_pixel_scale_inputs_saturating_the_start_explain_why_to_rescale() -> None:
    found = findings(jobs(SCALED, [0.33]), jobs(RAW, [0.6], epoch0=PIXELS))
    [rescale] = [f for f in found if f.id == "pixel_scale_inputs_saturate"]
    assert rescale.question == "why rescale at all"
    assert rescale.evidence["logit_std_epoch_0"] == 150.0
    assert rescale.evidence["reference_logit_std_epoch_0"] == 0.6
    assert "250x too large" in rescale.statement
    assert "80% of probe samples" in rescale.statement


def test_no_rescale_finding_without_a_unit_scale_reference_or_a_big_spread() -> None:
    assert "pixel_scale_inputs_saturate" not in ids(findings(jobs(RAW, [0.6], epoch0=PIXELS)))
    mild = PIXELS | {"output.logit_std": 5.0}
    assert "pixel_scale_inputs_saturate" not in ids(
        findings(jobs(SCALED, [0.33]), jobs(RAW, [0.6], epoch0=mild))
    )


def test_clipped_samples_explain_a_stuck_run_and_predict_its_loss() -> None:
    clipped = {"output.clipped_true_share": 0.86, "output.grad_norm": 1e-8}
    found = findings(jobs(RAW | CLIPPED, [14.0], loss=13.9, later=clipped, stuck=True))
    [stuck] = [f for f in found if f.id == "clipped_samples_give_no_gradient"]
    assert stuck.evidence["predicted_loss"] == 16.11809565095832 * 0.86
    assert stuck.evidence["clipped_share_by_epoch"] == [0.86, 0.86]
    assert "1 of 1 seeds are flagged stuck" in stuck.statement


def test_no_stuck_finding_below_the_clipped_threshold_or_with_logits() -> None:
    few = {"output.clipped_true_share": 0.4}
    assert "clipped_samples_give_no_gradient" not in ids(
        findings(jobs(RAW | CLIPPED, [3.0], later=few))
    )
    many = {"output.clipped_true_share": 0.9}
    assert "clipped_samples_give_no_gradient" not in ids(findings(jobs(RAW, [3.0], later=many)))


def test_larger_divisor_worse_and_catching_up_is_learning_slower() -> None:
    found = findings(
        jobs(SCALED, [0.330, 0.335, 0.328, 0.340, 0.331]),
        jobs(THOUSAND, [0.360, 0.368, 0.359, 0.371, 0.362], gaps=(0.1, 0.0)),
    )
    [slower] = [f for f in found if f.id == "smaller_inputs_learn_slower"]
    assert slower.evidence["test"] == "paired t"
    assert slower.evidence["p"] < 0.001
    assert slower.evidence["input_ratio"] == 1000 / 255
    assert "catching up" in slower.statement


def test_no_divisor_finding_when_the_larger_divisor_is_not_worse() -> None:
    found = findings(jobs(SCALED, [0.36, 0.37]), jobs(THOUSAND, [0.33, 0.34]))
    assert "smaller_inputs_learn_slower" not in ids(found)


def test_loss_mode_decides_when_only_the_clipped_run_is_stuck() -> None:
    found = findings(
        jobs(RAW | CLIPPED, [14.1, 14.3, 14.0], loss=14.0, stuck=True),
        jobs(RAW, [0.55, 0.60, 0.52], loss=0.5),
    )
    [decides] = [f for f in found if f.question == "what the loss has to do with it"]
    assert decides.id == "loss_mode_decides"
    assert decides.evidence["stuck_seeds_clipped"] == 3
    assert decides.evidence["stuck_seeds_logits"] == 0


def test_loss_modes_agree_within_noise_on_scaled_inputs() -> None:
    found = findings(
        jobs(SCALED | CLIPPED, [0.330, 0.341, 0.329]), jobs(SCALED, [0.335, 0.333, 0.338])
    )
    [agrees] = [f for f in found if f.question == "what the loss has to do with it"]
    assert agrees.id == "loss_mode_agrees"
    assert agrees.evidence["p"] >= 0.05


def test_dead_relu_units_are_reported_only_past_the_threshold() -> None:
    dead = findings(
        jobs(SCALED, [0.33], later={"hidden_1.dead_share": 0.02}),
        jobs(RAW, [0.6], epoch0=PIXELS, later={"hidden_1.dead_share": 0.3}),
    )
    [relu] = [f for f in dead if f.question == "what ReLU has to do with it"]
    assert relu.id == "dead_relu_units"
    assert "30% of first-layer ReLU units are dead" in relu.statement
    assert "pixel-scale" in relu.statement
    alive = findings(
        jobs(SCALED, [0.33], later={"hidden_1.dead_share": 0.02}),
        jobs(RAW, [0.6], later={"hidden_1.dead_share": 0.05}),
    )
    assert [f.id for f in alive if f.question == "what ReLU has to do with it"] == [
        "relu_units_alive"
    ]
    assert "what ReLU has to do with it" not in [f.question for f in findings(jobs(SCALED, [0.3]))]


def test_one_seed_per_config_cannot_be_tested() -> None:
    found = findings(jobs(SCALED, [0.33]), jobs(THOUSAND, [0.37]))
    [single] = [f for f in found if f.id == "single_seed"]
    assert single.evidence["n"] == [1]
    assert "within_seed_noise" not in ids(found)


def test_differences_within_seed_noise_are_called_so_and_real_ones_are_not() -> None:
    noisy = findings(jobs(SCALED, [0.33, 0.40, 0.30]), jobs(THOUSAND, [0.35, 0.31, 0.39]))
    assert "within_seed_noise" in ids(noisy)
    clear = findings(jobs(SCALED, [0.330, 0.331, 0.332]), jobs(THOUSAND, [0.360, 0.362, 0.361]))
    assert "within_seed_noise" not in ids(clear)
    assert "single_seed" not in ids(clear)


def test_no_data_no_findings() -> None:
    assert findings() == []


def test_curve_shape_tells_catching_up_from_narrowing_from_not_closing() -> None:
    from api.report.findings.scale import curve_shape

    assert "catching up" in curve_shape((0.10, 0.04))
    assert curve_shape((0.10, 0.08)) == "the gap narrows, slowly"
    assert curve_shape((0.015, 0.014)) == "the gap is not closing within these epochs"
    assert curve_shape((-0.01, 0.02)) == "the gap is not closing within these epochs"
