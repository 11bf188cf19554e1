"""Conditions of the learning curve: exploded, at chance, overfitting, unstable, still improving.

Thresholds, and why:
- `exploded` (problem): the train or test loss became NaN or infinite, or rose above 10 times
  its epoch-0 value, at epoch k; the one rule of analysis.curves, which sets `diverged_epoch`.
- `at_chance` (problem): from the named epoch to the last, the test accuracy is within three
  binomial standard errors of 1/10 (sqrt(0.1 x 0.9 / n) on n test images, 0.04 on 500, 0.009
  on 10,000; a wider margin would hide real learning, a narrower one a model that guesses one
  class on a slightly unbalanced subset), whatever the loss: a train loss far above ln 10 =
  2.303 (the loss of a uniform guess) is stated in it as confidently wrong, not a reason to
  drop it.
- `overfitting` (problem): the last 3 epochs' mean test loss is at least 10% above its best,
  reached 3 or more epochs before the last, while the train loss is lower than at that best
  epoch, and the model is not at chance with its test loss above its train loss. Three epochs
  and 10%: one epoch's test loss on a few hundred images swings by a few percent either way;
  a rise that lasts and exceeds that, with a gap to the train loss, is the model memorising.
- `unstable` (problem): the epoch-average train loss rose from one trained epoch to the next
  by more than 10% and by more than 0.02, with the model neither at chance nor at the clip at
  either epoch, and before any explosion. With a step size that works the epoch average falls
  every epoch; a nearly memorised set flickers by a few percent of a small loss, which the 0.02
  floor leaves out; a stalled run flickers too, and that is not a step size.
- `still_improving` (note): both losses fell in each of the last three trained epochs, and at
  the pace of the last of them, slowing as it slowed from the epoch before, as many epochs
  again would cut the test loss by at least 10%; with fewer than three trained epochs, the last
  one cut both losses by 10%. The train loss alone keeps falling while a model memorises, and
  the test loss alone swings on small test sets; both falling steadily say more epochs would
  change the answer, however small each epoch's step (a very large batch makes an epoch a
  handful of steps).
"""

import itertools
import math
from collections.abc import Iterable, Sequence

from analysis.conditions.base import Condition, evidence, held_since, measured, number, trained
from analysis.curves import CLIPPED_SHARE_STUCK, EXPLOSION_FACTOR, exploded_epoch
from analysis.epochs import EpochResult
from analysis.names import CLIPPED_TRUE_SHARE
from models.condition import ConditionKind, ConditionName
from models.limits import CHANCE_LOSS
from models.spec import JobConfig

CHANCE_ACCURACY = 0.1
CHANCE_STANDARD_ERRORS = 3.0
CHANCE_LOSS_MARGIN = 0.1
OVERFIT_PATIENCE = 3
OVERFIT_RISE = 0.1
UNSTABLE_RISE = 0.1
UNSTABLE_FLOOR = 0.02
IMPROVING_CUT = 0.1
STEADY_EPOCHS = 3


def exploded(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """The loss became non-finite or rose far above its epoch-0 value."""
    at = exploded_epoch(epochs)
    if at is None:
        return []
    first, then = epochs[0], next(e for e in epochs if e.epoch == at)
    train_blew = not math.isfinite(then.loss) or then.loss > EXPLOSION_FACTOR * first.loss
    what, start, now = (
        ("train", first.loss, then.loss)
        if train_blew
        else ("test", first.test_loss, then.test_loss)
    )
    if math.isfinite(now):
        statement = (
            f"The {what} loss rose from {number(start)} before training to {number(now)} at "
            f"epoch {at}, over {EXPLOSION_FACTOR:g} times its start: the weights were thrown "
            "far off."
        )
    else:
        statement = f"The {what} loss became {number(now)} at epoch {at}: training diverged."
    values = {"loss": [first.loss, then.loss], "test_loss": [first.test_loss, then.test_loss]}
    proof = evidence(values, {"loss_factor": EXPLOSION_FACTOR}, [0, at])
    return [Condition(ConditionName.EXPLODED, ConditionKind.PROBLEM, at, statement, proof)]


def chance_margin(config: JobConfig) -> float:
    """How far from 1/10 a test accuracy may be and still be chance, on this test set."""
    n = config.dataset.test_size
    return CHANCE_STANDARD_ERRORS * math.sqrt(CHANCE_ACCURACY * (1 - CHANCE_ACCURACY) / n)


def is_at_chance(config: JobConfig, epoch: EpochResult) -> bool:
    """Whether the epoch's test accuracy is within noise of a guess among ten classes."""
    return abs(epoch.test_accuracy - CHANCE_ACCURACY) <= chance_margin(config)


def _loss_words(loss: float) -> str:
    """What the train loss says of a model at chance, against ln 10."""
    if not math.isfinite(loss) or loss > (1 + CHANCE_LOSS_MARGIN) * CHANCE_LOSS:
        return (
            f"its train loss {number(loss)} is far above ln 10 = {CHANCE_LOSS:.3f}, a uniform "
            "guess: it is confidently wrong"
        )
    if loss >= (1 - CHANCE_LOSS_MARGIN) * CHANCE_LOSS:
        return f"its train loss {loss:.3f} is that of a uniform guess (ln 10 = {CHANCE_LOSS:.3f})"
    return f"its train loss is {loss:.3f}, yet none of it carries to the test images"


def at_chance(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """After training, test accuracy within noise of 1/10, whatever the loss."""
    after = trained(epochs)
    since = held_since(after, lambda e: is_at_chance(config, e))
    if since is None:
        return []
    last, margin = after[-1], chance_margin(config)
    statement = (
        f"From epoch {since}, the model is at chance: test accuracy {last.test_accuracy:.3f} at "
        f"epoch {last.epoch} (chance 0.100 ± {margin:.3f} on {config.dataset.test_size:,} test "
        f"images), and {_loss_words(last.loss)}."
    )
    values = {"test_accuracy": last.test_accuracy, "loss": last.loss}
    thresholds = {"accuracy_margin": margin, "chance_loss": CHANCE_LOSS}
    proof = evidence(values, thresholds, [last.epoch])
    return [Condition(ConditionName.AT_CHANCE, ConditionKind.PROBLEM, since, statement, proof)]


def overfitting(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """The test loss has risen for several epochs past its best while the train loss fell."""
    after = [e for e in trained(epochs) if e.finite]
    if len(after) <= OVERFIT_PATIENCE:
        return []
    best, last = min(after, key=lambda e: e.test_loss), after[-1]
    recent = sum(e.test_loss for e in after[-OVERFIT_PATIENCE:]) / OVERFIT_PATIENCE
    rising = recent >= (1 + OVERFIT_RISE) * best.test_loss
    learned = last.test_loss > last.loss and not is_at_chance(config, last)
    if last.epoch - best.epoch < OVERFIT_PATIENCE or not rising or last.loss >= best.loss:
        return []
    if not learned:
        return []
    statement = (
        f"The test loss rose from its best, {number(best.test_loss)} at epoch {best.epoch}, to "
        f"{number(last.test_loss)} at epoch {last.epoch} (the last {OVERFIT_PATIENCE} epochs "
        f"average {recent / best.test_loss - 1:.0%} above the best) while the train loss fell "
        f"from {number(best.loss)} to {number(last.loss)}; the gap is "
        f"{number(last.test_loss - last.loss)}."
    )
    values = {"test_loss": [best.test_loss, last.test_loss], "loss": [best.loss, last.loss]}
    thresholds = {"rise": OVERFIT_RISE, "patience_epochs": OVERFIT_PATIENCE}
    proof = evidence(
        values | {"gap": last.test_loss - last.loss}, thresholds, [best.epoch, last.epoch]
    )
    name, kind = ConditionName.OVERFITTING, ConditionKind.PROBLEM
    return [Condition(name, kind, best.epoch + 1, statement, proof)]


def at_clip(config: JobConfig, epoch: EpochResult) -> bool:
    """Under clipped probabilities, with most probe images at the clip (no gradient)."""
    share = measured(epoch, CLIPPED_TRUE_SHARE)
    return config.loss.mode == "clipped_probabilities" and (share or 0.0) >= CLIPPED_SHARE_STUCK


def _stalled(config: JobConfig, epoch: EpochResult) -> bool:
    """At chance, or at the clip."""
    return at_clip(config, epoch) or is_at_chance(config, epoch)


def unstable(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """The train loss rose between epochs while the model was learning, not stalled."""
    end = exploded_epoch(epochs)
    after = [e for e in trained(epochs) if end is None or e.epoch < end]
    rises = [
        (before, now)
        for before, now in itertools.pairwise(after)
        if now.loss - before.loss > max(UNSTABLE_RISE * before.loss, UNSTABLE_FLOOR)
        and not (_stalled(config, before) or _stalled(config, now))
    ]
    if not rises:
        return []
    before, now = max(rises, key=lambda pair: pair[1].loss / pair[0].loss)
    statement = (
        f"The train loss rose between epochs {_times(len(rises))}, by up to "
        f"{now.loss / before.loss - 1:.0%} ({number(before.loss)} at epoch {before.epoch} to "
        f"{number(now.loss)} at epoch {now.epoch}), while the model was learning: the step "
        "size is too large."
    )
    values = {"loss": [before.loss, now.loss]}
    thresholds = {"rise": UNSTABLE_RISE, "floor": UNSTABLE_FLOOR}
    proof = evidence(values, thresholds, [before.epoch, now.epoch])
    start = rises[0][1].epoch
    return [Condition(ConditionName.UNSTABLE, ConditionKind.PROBLEM, start, statement, proof)]


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _cut(before: float, now: float) -> float:
    return (before - now) / before if before > 0 else 0.0


def projected_cut(losses: Sequence[float], horizon: int) -> float:
    """The share of the last loss that `horizon` more epochs would cut, each epoch's cut
    shrinking by the ratio of the last cut to the one before (never growing)."""
    cuts = [_cut(a, b) for a, b in itertools.pairwise(losses)]
    last, slowing = cuts[-1], min(1.0, cuts[-1] / cuts[-2]) if cuts[-2] > 0 else 0.0
    kept = math.prod(1 - last * slowing**k for k in range(1, horizon + 1))
    return 1 - kept


def _steady(epochs: Sequence[EpochResult]) -> float | None:
    """The projected cut of the test loss when both losses fell at each of the last epochs."""
    recent = epochs[-STEADY_EPOCHS:]
    for name in ("loss", "test_loss"):
        values = [getattr(e, name) for e in recent]
        if any(_cut(a, b) <= 0 for a, b in itertools.pairwise(values)):
            return None
    return projected_cut([e.test_loss for e in recent], horizon=len(epochs))


def still_improving(config: JobConfig, epochs: Sequence[EpochResult]) -> list[Condition]:
    """Both losses still fall steadily: more epochs would change the figures."""
    after = trained(epochs)
    if len(after) < 2 or not all(e.finite for e in after[-STEADY_EPOCHS:]):
        return []
    before, last = after[-2], after[-1]
    cut, test_cut = _cut(before.loss, last.loss), _cut(before.test_loss, last.test_loss)
    if len(after) < STEADY_EPOCHS:
        projected = test_cut if min(cut, test_cut) >= IMPROVING_CUT else None
    else:
        projected = _steady(after)
    if projected is None or projected < IMPROVING_CUT:
        return []
    recent = after[-STEADY_EPOCHS:]
    statement = (
        f"Both losses fell at every epoch from {recent[0].epoch} to {last.epoch} (train "
        f"{_path(e.loss for e in recent)}, test {_path(e.test_loss for e in recent)}); at that "
        f"pace, {len(after)} more epochs would cut the test loss by about {projected:.0%}: more "
        "epochs would change the answer."
    )
    values = {"loss": [e.loss for e in recent], "test_loss": [e.test_loss for e in recent]}
    thresholds = {"projected_cut": IMPROVING_CUT}
    proof = evidence(values | {"projected_cut": projected}, thresholds, [e.epoch for e in recent])
    name, kind = ConditionName.STILL_IMPROVING, ConditionKind.NOTE
    return [Condition(name, kind, last.epoch, statement, proof)]


def _path(values: Iterable[float]) -> str:
    return " → ".join(number(v) for v in values)
