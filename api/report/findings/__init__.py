"""Findings: statements triggered by the stored numbers, each carrying them as evidence.

No data, no finding: every rule yields nothing unless the experiment holds the configs and
measurements it needs. Thresholds, and why each was chosen:
- Pixel-scale inputs: an input maximum above 10. The unit-scale preprocessings (/255, center,
  minmax, standardize) stay below about 5 on Fashion-MNIST; raw pixels reach 255.
- Saturated start: the untrained logits' std at least 10x that of a unit-scale config. Glorot
  initialisation assumes unit-scale inputs; ten times its intended spread already puts most
  probe samples in a saturated softmax.
- Clipped, no gradient: at least half of the probe samples at or below 1e-7 after every epoch,
  the same threshold as a job's `stuck` flag (worker.curves).
- Dead ReLU units: 10% or more of the first layer dead (zero on every probe sample) after the
  last epoch; below that the layer keeps at least 90% of its units.
- Catching up: the test-loss gap after the last epoch at most half the gap after epoch 1;
  narrowing below 90% of it; otherwise not closing (findings.scale.curve_shape).
- Significance: a Holm-adjusted p below 0.05 across the comparisons with the best config; a
  single comparison between two configs uses its own p below 0.05.
"""

from collections.abc import Sequence

from api.report.comparisons import GroupComparison
from api.report.findings.base import Finding
from api.report.findings.loss import loss_mode, why_stuck
from api.report.findings.noise import seed_noise
from api.report.findings.scale import smaller_inputs, why_rescale
from api.report.findings.units import relu_units
from api.report.groups import ConfigGroup

__all__ = ["Finding", "all_findings"]


def all_findings(
    groups: Sequence[ConfigGroup], comparisons: Sequence[GroupComparison]
) -> list[Finding]:
    """Every rule's findings, in the order of the seed's questions."""
    rules = [
        why_rescale(groups),
        why_stuck(groups),
        smaller_inputs(groups),
        loss_mode(groups),
        relu_units(groups),
        seed_noise(comparisons),
    ]
    return [finding for rule in rules for finding in rule]
