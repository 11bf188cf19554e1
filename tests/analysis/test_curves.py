"""Learning-curve summaries: best epochs, targets, area, stuck and diverged, on made-up curves."""

import math

from analysis.curves import curve_summary
from analysis.epochs import EpochResult


def curve(
    losses: list[float], test_losses: list[float], accuracies: list[float], clipped: float = 0.0
) -> list[EpochResult]:
    """Epochs 0..n with the given train losses, test losses and test accuracies."""
    return [
        EpochResult(
            epoch, loss, 0.5, test_loss, accuracy, 1.0, {"output.clipped_true_share": clipped}
        )
        for epoch, (loss, test_loss, accuracy) in enumerate(
            zip(losses, test_losses, accuracies, strict=True)
        )
    ]


def test_best_epochs_targets_and_area() -> None:
    epochs = curve([2.3, 0.6, 0.4, 0.3], [2.3, 0.5, 0.35, 0.4], [0.1, 0.79, 0.86, 0.84])
    summary = curve_summary(epochs, "from_logits")
    assert (summary.best_test_loss, summary.best_test_loss_epoch) == (0.35, 2)
    assert (summary.best_test_accuracy, summary.best_test_accuracy_epoch) == (0.86, 2)
    assert (summary.epochs_to_accuracy_80, summary.epochs_to_accuracy_85) == (2, 2)
    assert summary.train_loss_auc == (2.3 + 0.6) / 2 + (0.6 + 0.4) / 2 + (0.4 + 0.3) / 2
    assert (summary.stuck, summary.diverged_epoch) == (False, None)


def test_flat_curve_above_chance_is_stuck() -> None:
    epochs = curve([14.4, 13.9, 14.5, 14.5], [14.5] * 4, [0.1] * 4)
    assert curve_summary(epochs, "from_logits").stuck
    assert curve_summary(epochs, "from_logits").epochs_to_accuracy_80 is None


def test_slow_but_moving_curve_is_not_stuck() -> None:
    assert not curve_summary(
        curve([205.0, 3.07, 0.67], [3.0, 0.7, 0.6], [0.1, 0.7, 0.8]), "from_logits"
    ).stuck
    # flat but below chance: converged, not stuck
    assert not curve_summary(
        curve([2.3, 0.30, 0.29, 0.29], [0.3] * 4, [0.88] * 4), "from_logits"
    ).stuck


def test_high_clipped_share_is_stuck_only_under_clipped_probabilities() -> None:
    epochs = curve([3.0, 2.0], [3.0, 2.0], [0.1, 0.4], clipped=0.6)
    assert curve_summary(epochs, "clipped_probabilities").stuck
    assert not curve_summary(epochs, "from_logits").stuck
    below = curve([3.0, 2.0], [3.0, 2.0], [0.1, 0.4], clipped=0.4)
    assert not curve_summary(below, "clipped_probabilities").stuck


def test_divergence_epoch_and_figures_from_finite_epochs_only() -> None:
    epochs = curve([2.3, 1.0, math.nan], [2.3, 0.9, math.inf], [0.1, 0.6, 0.1])
    summary = curve_summary(epochs, "from_logits")
    assert summary.diverged_epoch == 2
    assert (summary.best_test_loss, summary.best_test_loss_epoch) == (0.9, 1)
    assert summary.train_loss_auc is None


def test_a_finite_loss_ten_times_its_start_is_a_divergence_too() -> None:
    blown = curve([2.3, 23.01, 2.4], [2.3, 2.5, 2.4], [0.1, 0.1, 0.1])
    assert curve_summary(blown, "from_logits").diverged_epoch == 1
    test_blown = curve([2.3, 1.0, 0.9], [2.3, 1.0, 23.01], [0.1, 0.6, 0.1])
    assert curve_summary(test_blown, "from_logits").diverged_epoch == 2
    high = curve([2.3, 23.0], [2.3, 2.3], [0.1, 0.1])
    assert curve_summary(high, "from_logits").diverged_epoch is None
