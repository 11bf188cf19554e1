"""Training a stack of jobs: every member reported to its own hooks as if it ran alone."""

import time
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from worker.training.loop import TrainingData
from worker.training.losses import loss_function
from worker.training.network import build_model
from worker.training.probe import Probe
from worker.training.results import Ending, EpochResult, TrainingHooks, TrainingOutcome
from worker.training.stacked import Member, Stack, epoch_parts


class StackRun:
    """The stack, each member's probe and hooks, and which members still train."""

    def __init__(
        self,
        members: Sequence[Member],
        sources: Sequence[TrainingData],
        hooks: Sequence[TrainingHooks],
        xla: bool,
    ) -> None:
        self.members, self.hooks = members, hooks
        self.stack = Stack(
            members,
            [(s.x_train, s.x_test) for s in sources],
            sources[0].y_train,
            sources[0].y_test,
            xla,
        )
        self.models = [build_model(m.config.model) for m in members]
        self.probes = [
            Probe(
                model,
                sources[m.source].x_train,
                sources[m.source].y_train,
                loss_function(m.config.loss.mode),
            )
            for m, model in zip(members, self.models, strict=True)
        ]
        self.outcomes: dict[int, TrainingOutcome] = {}
        self.train_size = len(sources[0].y_train)

    def active(self) -> list[int]:
        """Members still training."""
        return [index for index in range(len(self.members)) if index not in self.outcomes]

    def report(self, epoch: int, figures: tuple[list[float], ...], seconds: float) -> None:
        """Each active member's epoch to its hooks; a non-finite loss ends that member."""
        for index in self.active():
            self.models[index].set_weights(self.stack.member_weights(index))
            loss, accuracy, test_loss, test_accuracy = (float(column[index]) for column in figures)
            diagnostics = self.probes[index].measure(epoch)
            result = EpochResult(
                epoch, loss, accuracy, test_loss, test_accuracy, seconds, diagnostics
            )
            self.hooks[index].on_epoch(result)
            self.alive()  # the probes of a large stack take a while
            if not result.finite:
                self.outcomes[index] = TrainingOutcome(Ending.DIVERGED, epoch)

    def stop_asked(self, epoch: int) -> None:
        """Members whose hooks ask to stop end cancelled after their last whole epoch."""
        for index in self.active():
            if self.hooks[index].should_stop():
                self.outcomes[index] = TrainingOutcome(Ending.CANCELLED, epoch - 1)

    def evaluated(self, train: bool) -> tuple[list[float], list[float]]:
        """Every member's mean loss and accuracy on its training or test set."""
        loss, accuracy = self.stack.evaluate(train)
        self.alive()
        return loss.numpy().tolist(), accuracy.numpy().tolist()

    def alive(self) -> None:
        """Every active member's hooks told the stack is alive."""
        for index in self.active():
            self.hooks[index].alive()


def _fit_epoch(run: StackRun, orders: np.ndarray, epoch: int) -> tuple[list[float], list[float]]:
    stack = run.stack
    total, correct = np.zeros(stack.size), np.zeros(stack.size)
    batches_total, done = -(-run.train_size // stack.batch_size), 0
    for compiled, part in epoch_parts(orders, stack.batch_size):
        function = stack.train_chunk if compiled else stack.train_batches
        loss, hits = function(*stack.gather(tf.constant(part, tf.int32)))
        total, correct, done = total + loss.numpy(), correct + hits.numpy(), done + len(part)
        for index in run.active():
            run.hooks[index].on_progress(done, batches_total)
        run.stop_asked(epoch)
        if not run.active():
            break
    return (total / run.train_size).tolist(), (correct / run.train_size).tolist()


def train_stack(
    members: Sequence[Member],
    sources: Sequence[TrainingData],
    hooks: Sequence[TrainingHooks],
    *,
    xla: bool,
) -> list[TrainingOutcome]:
    """Train the members together; one outcome per member, in order."""
    run = StackRun(members, sources, hooks, xla)
    run.alive()
    start = time.perf_counter()
    figures = (*run.evaluated(True), *run.evaluated(False))
    run.report(0, figures, time.perf_counter() - start)
    rngs = [np.random.default_rng(member.seed) for member in members]
    epochs = members[0].config.training.epochs
    for epoch in range(1, epochs + 1):
        orders = np.stack([rng.permutation(run.train_size) for rng in rngs])
        run.stop_asked(epoch)
        if not run.active():
            break
        start = time.perf_counter()
        loss, accuracy = _fit_epoch(run, orders, epoch)
        seconds = time.perf_counter() - start
        run.report(epoch, (loss, accuracy, *run.evaluated(False)), seconds)
    return [
        run.outcomes.get(index, TrainingOutcome(Ending.COMPLETED, epochs))
        for index in range(len(members))
    ]
