"""Each condition's threshold on hand-made epochs: just at it, and just short of it."""

import math
from typing import Any

import pytest

from analysis.conditions import Condition, diagnose
from analysis.conditions.learning import chance_margin
from analysis.epochs import EpochResult
from harness.training import small_config
from models.spec import JobConfig

LN10 = math.log(10)


def epoch(number: int, loss: float = 1.0, test_loss: float = 1.0, **values: Any) -> EpochResult:
    """An epoch with these losses, test accuracy 0.8 unless given, and these diagnostics."""
    accuracy = values.pop("test_accuracy", 0.8)
    diagnostics = {name.replace("__", "."): value for name, value in values.items()}
    return EpochResult(number, loss, 0.8, test_loss, accuracy, 1.0, diagnostics)


def found(epochs: list[EpochResult], configured: JobConfig | None = None) -> dict[str, Condition]:
    """The conditions of these epochs by name."""
    return {c.name.value: c for c in diagnose(configured or small_config(), epochs)}


def converging(count: int, **values: Any) -> list[EpochResult]:
    """Epochs 0..count-1 whose losses fall towards 0.3, by a fifth of the gap each epoch."""
    return [epoch(k, 0.3 + 2.0 * 0.2**k, 0.3 + 2.0 * 0.2**k, **values) for k in range(count)]


def test_no_epoch_no_condition() -> None:
    assert diagnose(small_config(), []) == []


def test_saturated_softmax_from_half_the_probe() -> None:
    assert "saturated_softmax" in found([epoch(0, output__saturated_share=0.5)])
    assert "saturated_softmax" not in found([epoch(0, output__saturated_share=0.499)])


def test_clipped_stall_needs_half_the_probe_clipped_after_every_epoch() -> None:
    clipped = small_config(loss={"mode": "clipped_probabilities"})
    stalled = [epoch(0), *(epoch(k, output__clipped_true_share=0.5) for k in (1, 2))]
    assert found(stalled, clipped)["clipped_stall"].epoch == 1
    assert "clipped_stall" not in found(stalled)  # from logits: not clipped at all
    recovering = [*stalled[:2], epoch(2, output__clipped_true_share=0.499)]
    assert "clipped_stall" not in found(recovering, clipped)
    assert "clipped_stall" not in found([epoch(0, output__clipped_true_share=0.9)], clipped)


def test_dead_units_per_relu_layer_since_the_run_of_epochs_that_ends_at_the_last() -> None:
    two = small_config(model={"hidden_layers": [8, 4]})
    epochs = [
        epoch(0, hidden_1__dead_share=0.0, hidden_2__dead_share=0.0),
        epoch(1, hidden_1__dead_share=0.5, hidden_2__dead_share=0.75),
        epoch(2, hidden_1__dead_share=0.49, hidden_2__dead_share=0.5),
        epoch(3, hidden_1__dead_share=0.5, hidden_2__dead_share=0.5),
    ]
    dead = {c.subject: c for c in diagnose(two, epochs) if c.name == "dead_units"}
    assert (dead["hidden_1"].epoch, dead["hidden_2"].epoch) == (3, 1)
    assert dead["hidden_2"].evidence["values"]["hidden_2.dead_share"] == [0.75, 0.5, 0.5]
    assert dead["hidden_2"].statement.startswith("50% of hidden_2's 4 units are dead")
    leaky = small_config(model={"activation": "leaky_relu"})
    assert "dead_units" not in found([epoch(0, hidden_1__dead_share=1.0)], leaky)


def test_saturated_units_from_half_the_unit_sample_pairs() -> None:
    tanh = small_config(model={"activation": "tanh"})
    assert found([epoch(0, hidden_1__saturated_share=0.5)], tanh)["saturated_units"].epoch == 0
    assert "saturated_units" not in found([epoch(0, hidden_1__saturated_share=0.499)], tanh)


def vanishing(ratio: float, accuracy: float = 0.1, dead: float = 0.0) -> list[EpochResult]:
    """Epoch 0 and one epoch whose first layer has this share of the output's gradient."""
    values = {"output__grad_norm": 2.0, "hidden_1__dead_share": dead, "test_accuracy": accuracy}
    return [epoch(0), epoch(1, LN10, LN10, hidden_1__grad_norm=2.0 * ratio, **values)]


def test_vanishing_gradients_below_a_twentieth_of_the_output_in_a_run_at_chance() -> None:
    vanished = found(vanishing(0.0499))["vanishing_gradients"]
    assert (vanished.subject, vanished.caused_by) == ("hidden_1", None)
    assert "(5.0% of it)" in vanished.statement
    assert found(vanishing(0.0499))["at_chance"].caused_by == "vanishing_gradients"
    assert "vanishing_gradients" not in found(vanishing(0.0501))
    assert "vanishing_gradients" not in found(vanishing(0.001, accuracy=0.8))  # it learned
    assert "vanishing_gradients" not in found(vanishing(0.0, dead=1.0))  # dead, not vanished


def steps(moved: float, accuracy: float = 0.1, dead: float = 0.0) -> list[EpochResult]:
    """Epoch 0 and one epoch that moved the first layer by this share of its weights."""
    values = {"hidden_1__dead_share": dead, "test_accuracy": accuracy}
    grads = {"hidden_1__grad_norm": 1.0, "output__grad_norm": 1.0}
    return [epoch(0), epoch(1, LN10, LN10, hidden_1__update_ratio=moved, **grads, **values)]


def test_tiny_steps_below_0_4_percent_in_a_run_at_chance() -> None:
    tiny = found(steps(0.00399))["tiny_steps"]
    assert (tiny.subject, tiny.caused_by) == ("hidden_1", None)
    assert "by 0.40% of their norm (adam at learning rate 0.001)" in tiny.statement
    assert found(steps(0.00399))["at_chance"].caused_by == "tiny_steps"
    assert "tiny_steps" not in found(steps(0.00401))
    assert "tiny_steps" not in found(steps(0.0001, accuracy=0.8))  # it learned
    assert "tiny_steps" not in found(steps(0.0, dead=1.0))  # dead, not slow
    clipped = small_config(loss={"mode": "clipped_probabilities"})
    at_clip = steps(0.0)
    at_clip[1].diagnostics["output.clipped_true_share"] = 0.9
    assert "tiny_steps" not in found(at_clip, clipped)  # no gradient at the clip: not the step


def test_exploded_above_ten_times_the_start_or_not_finite() -> None:
    assert found([epoch(0, 2.0), epoch(1, 20.01)])["exploded"].epoch == 1
    assert "exploded" not in found([epoch(0, 2.0), epoch(1, 20.0)])
    assert found([epoch(0, 2.0, 2.0), epoch(1, 1.0, 20.01)])["exploded"].epoch == 1
    nan = found([epoch(0, 2.0), epoch(1, 1.0), epoch(2, math.nan)])["exploded"]
    assert (nan.epoch, nan.statement) == (
        2,
        "The train loss became NaN at epoch 2: training diverged.",
    )
    assert nan.evidence["values"]["loss"] == [2.0, None]


def test_at_chance_within_three_standard_errors_whatever_the_loss() -> None:
    configured = small_config(dataset={"test_size": 500})
    margin = chance_margin(configured)
    assert margin == pytest.approx(0.04025, abs=1e-5)

    def chance(accuracy: float, loss: float) -> Condition | None:
        epochs = [epoch(0, LN10), epoch(1, loss, LN10, test_accuracy=accuracy)]
        return found(epochs, configured).get("at_chance")

    assert chance(0.1 + margin * 0.999, LN10 * 1.099) is not None
    assert chance(0.1 - margin * 0.999, LN10) is not None
    assert chance(0.1 + margin * 1.001, LN10) is None
    wrong = chance(0.1, 12.9)
    assert wrong is not None
    assert "12.9 is far above ln 10" in wrong.statement
    assert "confidently wrong" in wrong.statement
    assert "uniform guess" in str(chance(0.1, LN10 * 1.05))
    near_ln10 = chance(0.1, LN10 * 1.05)
    assert near_ln10 is not None
    assert "confidently wrong" not in near_ln10.statement
    assert "at_chance" not in found([epoch(0, LN10, test_accuracy=0.1)], configured)


def test_a_symptom_names_the_condition_it_follows_from() -> None:
    clipped = small_config(loss={"mode": "clipped_probabilities"})
    stuck = {"output__clipped_true_share": 0.9, "test_accuracy": 0.1}
    epochs = [
        epoch(0, 14.4, output__saturated_share=0.9),
        epoch(1, 13.0, **stuck),
        epoch(2, 12.9, **stuck),
    ]
    causes = {c.name.value: c.caused_by for c in diagnose(clipped, epochs)}
    assert causes == {
        "saturated_softmax": None,
        "clipped_stall": "saturated_softmax",
        "at_chance": "clipped_stall",
    }
    dead = [epoch(0), epoch(1, 3.1, 3.1, hidden_1__dead_share=1.0, test_accuracy=0.1)]
    chance = found(dead)["at_chance"]
    assert (chance.caused_by, found(dead)["dead_units"].caused_by) == ("dead_units", None)
    assert "far above ln 10" in chance.statement
    alone = found([epoch(0), epoch(1, LN10, LN10, test_accuracy=0.1)])
    assert alone["at_chance"].caused_by is None


def overfit(rise: float, after_best: int = 3, train_falls: bool = True) -> list[EpochResult]:
    """A test loss best (1.0) at epoch 2, then `after_best` epochs at 1 + rise."""
    best = [epoch(0, 2.3, 2.3), epoch(1, 1.2, 1.1), epoch(2, 0.9, 1.0)]
    later = [0.5 if train_falls else 0.95] * after_best
    return best + [epoch(3 + k, loss, 1 + rise) for k, loss in enumerate(later)]


def test_overfitting_a_lasting_rise_of_a_tenth_with_the_train_loss_falling() -> None:
    found_here = found(overfit(0.1))["overfitting"]
    assert (found_here.epoch, found_here.evidence["epochs"]) == (3, [2, 5])
    assert found_here.evidence["values"]["gap"] == 1.1 - 0.5
    assert "overfitting" not in found(overfit(0.099))
    assert "overfitting" not in found(overfit(0.1, after_best=2))
    assert "overfitting" not in found(overfit(0.1, train_falls=False))


def test_unstable_a_rise_above_a_tenth_and_above_0_02_while_learning() -> None:
    def rises(before: float, after: float, accuracy: float = 0.8) -> bool:
        epochs = [epoch(0, 2.3, 2.3), epoch(1, before), epoch(2, after, test_accuracy=accuracy)]
        return "unstable" in found(epochs)

    assert rises(1.0, 1.101)
    assert not rises(1.0, 1.099)
    assert not rises(0.1, 0.119)  # more than a tenth, but by less than 0.02
    assert not rises(LN10 * 0.95, LN10 * 1.05, accuracy=0.1)  # at chance: nothing to unsettle
    assert not rises(12.7, 14.5, accuracy=0.1)  # the seed's raw run: at chance, far above ln 10


def test_a_run_at_the_clip_is_stalled_not_unstable() -> None:
    clipped = small_config(loss={"mode": "clipped_probabilities"})
    at_clip = {"output__clipped_true_share": 0.6, "test_accuracy": 0.4}
    epochs = [epoch(0, 14.0), epoch(1, 10.0, **at_clip), epoch(2, 12.0, **at_clip)]
    assert "unstable" not in found(epochs, clipped)
    assert "clipped_stall" in found(epochs, clipped)
    learning = {"output__clipped_true_share": 0.1, "test_accuracy": 0.4}
    rising = [epoch(0, 14.0), epoch(1, 10.0, **learning), epoch(2, 12.0, **learning)]
    assert "unstable" in found(rising, clipped)


def curve(*losses: float, test: tuple[float, ...] | None = None) -> list[EpochResult]:
    """Epoch 0 at 2.3, then these train losses (and test losses, the same unless given)."""
    tests = test or losses
    trained = [epoch(k, a, b) for k, (a, b) in enumerate(zip(losses, tests, strict=True), 1)]
    return [epoch(0, 2.3, 2.3), *trained]


def test_still_improving_when_the_last_epoch_cut_both_losses_by_a_tenth() -> None:
    def improving(cut: float, test_cut: float) -> bool:
        return "still_improving" in found(curve(1.0, 1 - cut, test=(1.0, 1 - test_cut)))

    assert improving(0.1001, 0.1001)
    assert not improving(0.0999, 0.5)
    assert not improving(0.5, 0.0999)
    assert "still_improving" not in found([epoch(0, 2.3, 2.3), epoch(1, 1.0, 1.0)])


def test_still_improving_by_a_few_percent_an_epoch_when_the_fall_is_steady() -> None:
    steady = found(curve(1.0, 0.97, 0.941, 0.913, 0.885))["still_improving"]
    assert steady.evidence["values"]["projected_cut"] == pytest.approx(
        1 - (0.885 / 0.913) ** 5, abs=1e-3
    )
    assert "5 more epochs would cut the test loss by about 14%" in steady.statement
    assert "still_improving" not in found(curve(1.0, 0.9, 0.86, 0.845, 0.84))  # converging
    rose = curve(1.0, 0.97, 0.941, 0.913, 0.885, test=(1.0, 0.97, 0.941, 0.95, 0.93))
    assert "still_improving" not in found(rose)  # the test loss rose at epoch 4
    slow = curve(1.0, 0.99, 0.98, 0.97, 0.96)
    assert "still_improving" not in found(slow)  # 1% an epoch: 5 more make about 5%


def test_tiny_inputs_below_a_hundredth() -> None:
    tiny = found([epoch(0, input__std=0.0099)])["tiny_inputs"]
    assert tiny.kind == "note"
    assert "tiny_inputs" not in found([epoch(0, input__std=0.01)])


def test_tiny_inputs_are_the_problem_and_the_cause_when_the_run_stays_at_chance() -> None:
    stuck = found([epoch(0, input__std=0.0099), epoch(1, LN10, LN10, test_accuracy=0.1)])
    assert stuck["tiny_inputs"].kind == "problem"
    assert stuck["tiny_inputs"].statement.endswith("here too slow to leave chance.")
    assert stuck["at_chance"].caused_by == "tiny_inputs"


def test_a_converging_healthy_curve_has_no_condition() -> None:
    values = {"hidden_1__dead_share": 0.1, "output__grad_norm": 1.0, "hidden_1__grad_norm": 1.0}
    assert found(converging(6, input__std=0.35, hidden_1__update_ratio=0.05, **values)) == {}
