"""The service's training path against plain `model.fit` of the seed's own model and data order."""

import pytest

from harness.reference import plain_fit
from harness.training import Recorder, data_for, small_config
from worker.training.loop import train

# Without XLA the arithmetic is fit's own, its averages summed in another order; XLA also fuses
# and may reorder the step's arithmetic. Rounding differences grow with the run, so the bound
# sits well above what this test's 2,000 images x 3 epochs show (docs/performance.md).
TOLERANCE = {False: 1e-5, True: 1e-5}


@pytest.mark.parametrize("xla", [False, True])
def test_per_epoch_losses_match_plain_fit(xla: bool) -> None:
    config = small_config(dataset={"train_size": 2000, "test_size": 500}, training={"epochs": 3})
    data = data_for(config)
    recorder = Recorder()
    train(config, 5, data, recorder, xla=xla)
    service = [(epoch.loss, epoch.test_loss) for epoch in recorder.epochs[1:]]
    reference = [(epoch.loss, epoch.test_loss) for epoch in plain_fit(config, data, 5)]
    differences = [
        abs(a - b) / abs(b)
        for mine, theirs in zip(service, reference, strict=True)
        for a, b in zip(mine, theirs, strict=True)
    ]
    print(f"xla={xla}: largest relative difference {max(differences):.2e}")
    assert max(differences) < TOLERANCE[xla]
