"""The report's pairs, findings, summary and follow-ups on made-up jobs built to show each."""

from typing import Any

from analysis.epochs import EpochResult
from analysis.labels import labels
from analysis.report.comparisons import Metric, compare_all, pairs
from analysis.report.findings import pair_finding
from analysis.report.followups import follow_ups
from analysis.report.groups import ConfigGroup, group_jobs
from analysis.report.records import ConditionRecord, JobRecord
from analysis.report.summary import summary
from models.spec import JobConfig

SCALED = {"preprocessing": {"method": "scale", "divisor": 255}}
RAW = {"preprocessing": {"method": "none"}}
THOUSAND = {"preprocessing": {"method": "scale", "divisor": 1000}}
CLIPPED = {"loss": {"mode": "clipped_probabilities"}}
FAST = {"training": {"learning_rate": 0.1}}

_ids = iter(range(1, 100_000))


def condition(
    name: str,
    diagnostic: str,
    value: float,
    subject: str = "job",
    caused_by: str | None = None,
) -> ConditionRecord:
    """A stored condition resting on one diagnostic at epoch 1."""
    statement = f"{name}: {diagnostic} is {value:g} at epoch 1."
    evidence = {"values": {diagnostic: [value]}, "thresholds": {diagnostic: 0.5}, "epochs": [1]}
    return ConditionRecord(name, subject, "problem", 1, statement, evidence, caused_by)


def jobs(
    sections: dict[str, Any],
    finals: list[float],
    *,
    diagnostics: dict[str, float] | None = None,
    conditions: list[ConditionRecord] | None = None,
    stuck: bool = False,
    train: list[float] | None = None,
) -> list[JobRecord]:
    """One succeeded job per final test loss (seeds 0, 1, ...), one trained epoch; the train
    loss is the same unless `train` gives it."""
    config = JobConfig.model_validate(sections).resolved()
    records = []
    for seed, value in enumerate(finals):
        loss = value if train is None else train[seed]
        figures: dict[str, float | None] = {
            "loss": loss,
            "accuracy": 0.8,
            "test_loss": value,
            "test_accuracy": 0.8,
        }
        epochs = [
            EpochResult(k, loss, 0.8, value, 0.8, 1.0, dict(diagnostics or {})) for k in (0, 1)
        ]
        record = JobRecord(
            next(_ids),
            seed,
            "succeeded",
            config.model_dump(mode="json"),
            config.key(),
            stuck,
            figures,
            epochs,
            list(conditions or []),
        )
        records.append(record)
    return records


def report_parts(*configs: list[JobRecord]) -> tuple[list[ConfigGroup], list[str], list[str]]:
    """Groups, finding statements and summary of an experiment of these jobs."""
    groups = group_jobs([job for config in configs for job in config])
    compared = compare_all(groups, Metric.TEST_LOSS, 0.01)
    statements = [pair_finding(i, item).statement for i, item in enumerate(compared)]
    return groups, statements, summary(groups, compared, Metric.TEST_LOSS)


def test_labels_name_only_what_varies() -> None:
    groups, _, _ = report_parts(jobs(SCALED, [0.30, 0.31]), jobs(SCALED | FAST, [1.6, 1.7]))
    assert [g.label for g in groups] == ["lr 0.001", "lr 0.1"]
    groups, _, _ = report_parts(jobs(SCALED, [0.3]), jobs(RAW | CLIPPED, [13.0]))
    assert [g.label for g in groups] == ["x/255, logits loss", "raw pixels, clipped loss"]


def test_an_optimizer_away_from_its_default_rate_is_named_with_its_rate() -> None:
    # The rate the same in both: "sgd" alone would read as SGD at its own default, 0.01.
    def dumped(optimizer: str, rate: float) -> dict[str, Any]:
        training = {"optimizer": optimizer, "learning_rate": rate}
        return JobConfig.model_validate({"training": training}).resolved().model_dump(mode="json")

    assert labels([dumped("adam", 0.001), dumped("sgd", 0.001)]) == ["adam", "sgd, lr 0.001"]
    assert labels([dumped("adam", 0.01), dumped("sgd", 0.01)]) == ["adam, lr 0.01", "sgd"]


def test_a_one_config_experiment_is_compared_with_nothing() -> None:
    dead = condition("dead_units", "hidden_1.dead_share", 1.0, "hidden_1")
    _, statements, sentences = report_parts(jobs(SCALED, [2.3, 2.3], conditions=[dead]))
    assert statements == []
    assert not any("against" in sentence for sentence in sentences)


def test_a_pair_finding_states_the_difference_and_the_condition_with_both_numbers() -> None:
    dead = condition("dead_units", "hidden_1.dead_share", 0.98, "hidden_1")
    _, [statement], _ = report_parts(
        jobs(SCALED, [0.30, 0.31, 0.32], diagnostics={"hidden_1.dead_share": 0.0}),
        jobs(
            SCALED | FAST,
            [1.60, 1.75, 1.70],
            diagnostics={"hidden_1.dead_share": 0.98},
            conditions=[dead],
        ),
    )
    assert statement.startswith("lr 0.1 instead of lr 0.001: test loss +1.37")
    assert "a real difference" in statement
    assert "lr 0.1: dead_units" in statement
    assert "(against 0% in lr 0.001)" in statement
    assert "seed noise" not in statement


def test_seed_noise_is_said_only_of_an_equivalence() -> None:
    _, [equivalent], _ = report_parts(
        jobs(SCALED, [0.300, 0.310, 0.320]), jobs(SCALED | CLIPPED, [0.301, 0.309, 0.321])
    )
    assert "equivalent within ±0.01: the difference is within seed noise" in equivalent
    _, [undecided], _ = report_parts(jobs(SCALED, [0.30, 0.31]), jobs(THOUSAND, [0.31, 0.34]))
    assert "undecided with 2 seeds" in undecided
    assert "seed noise" not in undecided


def test_one_factor_pairs_are_compared_and_no_config_with_itself() -> None:
    groups = group_jobs(
        jobs(SCALED, [0.30, 0.31])
        + jobs(THOUSAND, [0.32, 0.33])
        + jobs(SCALED | CLIPPED, [0.30, 0.31])
        + jobs(THOUSAND | CLIPPED, [0.32, 0.33])
    )
    chosen = pairs(groups, Metric.TEST_LOSS)
    assert len(chosen) == 4
    assert all(a is not b for a, b in chosen)


def seed_question() -> list[list[JobRecord]]:
    """The seed's shape: raw pixels stuck under clipping, dead units where they learn."""
    saturated = condition("saturated_softmax", "output.saturated_share", 0.95)
    stall = condition("clipped_stall", "output.clipped_true_share", 0.86, "job", saturated.name)
    chance = condition("at_chance", "test_accuracy", 0.1, "job", stall.name)
    dead = condition("dead_units", "hidden_1.dead_share", 0.81, "hidden_1")
    return [
        jobs(SCALED | CLIPPED, [0.33, 0.34], diagnostics={"hidden_1.dead_share": 0.09}),
        jobs(
            RAW | CLIPPED,
            [13.0, 13.1],
            stuck=True,
            conditions=[saturated, stall, chance],
            diagnostics={"hidden_1.dead_share": 0.05, "output.clipped_true_share": 0.86},
        ),
        jobs(SCALED, [0.33, 0.34], diagnostics={"hidden_1.dead_share": 0.09}),
        jobs(RAW, [0.50, 0.52], conditions=[dead], diagnostics={"hidden_1.dead_share": 0.81}),
    ]


def test_the_summary_says_what_did_not_learn_why_and_what_is_not_the_cause() -> None:
    _, _, sentences = report_parts(*seed_question())
    text = " ".join(sentences)
    assert (
        "raw pixels, clipped loss did not learn (2 of 2 seeds). saturated_softmax: "
        "output.saturated_share is 0.95 at epoch 1. Because of a saturated softmax from the "
        "start: clipped_stall: output.clipped_true_share is 0.86 at epoch 1. Because of a "
        "stall at the 1e-7 clip: at_chance: test_accuracy is 0.1 at epoch 1." in sentences
    )
    assert "raw pixels, clipped loss learns when only its loss.mode changes to logits loss" in text
    assert "The cross-entropy itself is not the cause" in text
    assert (
        "Dead units in the first hidden layer is not what stops raw pixels, clipped loss: the "
        "share of dead units in the first hidden layer is 5% there against 81% in raw pixels, "
        "logits loss, which learned (hidden_1.dead_share)." in text
    )


def test_a_run_whose_loss_exploded_but_whose_accuracy_rose_learned_with_a_problem() -> None:
    # Its loss rose tenfold, yet it classifies 80% of the test images: "did not learn" would be
    # contradicted by its own figures. At chance as well, it would not have learned.
    exploded = condition("exploded", "loss_ratio", 10.0)
    chance = condition("at_chance", "test_accuracy", 0.1, caused_by="exploded")
    for extra, learned in (([], True), ([chance], False)):
        groups, _, sentences = report_parts(
            jobs(SCALED, [0.3, 0.31]),
            jobs(SCALED | FAST, [3.0, 3.1], conditions=[exploded, *extra]),
        )
        assert groups[1].learned() is learned
        said = " ".join(sentences)
        assert ("lr 0.1 did not learn" in said) is not learned
        assert ("Learned, with problems: lr 0.1" in said) is learned


def test_a_condition_the_failing_config_shows_more_of_is_not_called_innocent() -> None:
    records = seed_question()
    records[3] = jobs(
        RAW,
        [0.50, 0.52],
        conditions=[condition("dead_units", "hidden_1.dead_share", 0.03, "hidden_1")],
        diagnostics={"hidden_1.dead_share": 0.03},
    )
    _, _, sentences = report_parts(*records)
    assert not any("is not what stops" in sentence for sentence in sentences)


def test_each_problem_gets_a_follow_up_with_the_one_change_on_the_same_seeds() -> None:
    groups = group_jobs([job for config in seed_question() for job in config])
    found = {(f.config, f.condition): f for f in follow_ups(groups)}
    stall = found[("raw pixels, clipped loss", "clipped_stall")]
    assert stall.spec["variants"] == [{}, {"loss": {"mode": "from_logits"}}]
    assert stall.spec["seeds"] == [0, 1]
    dead = found[("raw pixels, logits loss", "dead_units")]
    assert dead.spec["variants"][1] == {"training": {"learning_rate": 0.0001}}
    assert [(f.number, f.condition) for f in found.values()] == [
        (1, "saturated_softmax"),
        (2, "clipped_stall"),
        (3, "dead_units"),
    ]
    assert ("raw pixels, clipped loss", "at_chance") not in found  # follows from the stall


def test_vanishing_gradients_are_followed_up_with_relu_units_not_a_smaller_step() -> None:
    # A lower learning rate cannot help a first layer that gets no gradient.
    deep = {
        "model": {"hidden_layers": [64] * 5, "activation": "sigmoid"},
        "training": {"optimizer": "sgd", "learning_rate": 0.01},
    }
    vanishing = condition("vanishing_gradients", "hidden_1.gradient_ratio", 0.001, "hidden_1")
    chance = condition("at_chance", "test_accuracy", 0.1, caused_by="vanishing_gradients")
    records = jobs(deep, [2.30, 2.30], conditions=[vanishing, chance], stuck=True)
    [found] = follow_ups(group_jobs(records))
    relu = {"model": {"activation": "relu", "initializer": "he_normal"}}
    assert (found.condition, found.spec["variants"]) == ("vanishing_gradients", [{}, relu])


def test_one_seed_and_one_comparison_are_worded_in_the_singular() -> None:
    chance = condition("at_chance", "test_accuracy", 0.1)
    one_seed = report_parts(jobs(SCALED, [0.3]), jobs(RAW, [13.0], conditions=[chance]))
    two_seeds = report_parts(jobs(SCALED, [0.3, 0.31]), jobs(SCALED | FAST, [1.6, 1.7]))
    three = report_parts(*(jobs(s, [0.3, 0.31]) for s in (SCALED, RAW, THOUSAND)))
    said = [" ".join(statements + sentences) for _, statements, sentences in (one_seed, two_seeds)]
    assert "raw pixels did not learn (1 of 1 seed)" in said[0]
    assert "a real difference over 2 seeds" in said[1]
    assert not any("1 seeds" in text or "1 comparisons" in text for text in said)
    assert "corrected for" not in said[1]  # one pair: nothing to correct for
    assert all("corrected for 3 comparisons" in statement for statement in three[1])


def test_a_config_that_fits_better_but_tests_worse_is_said_not_to_generalise_better() -> None:
    slow = [0.40, 0.41, 0.42]  # the test losses of lr 0.001; lr 0.1's are 0.05 lower
    fast = [0.35, 0.36, 0.37]
    for train, disagree in (([0.20, 0.21, 0.22], True), ([0.45, 0.46, 0.47], False)):
        _, _, sentences = report_parts(
            jobs(SCALED, slow, train=train), jobs(SCALED | FAST, fast, train=[0.3, 0.31, 0.32])
        )
        assert sentences[0].startswith("lr 0.1 reaches a lower test loss than lr 0.001 by 0.05")
        said = "lr 0.001 fits the training images better but does not generalise better"
        assert (said in sentences[1]) is disagree


def test_labels_do_not_follow_the_stored_key_order() -> None:
    configs = [
        JobConfig.model_validate(RAW | CLIPPED).resolved().model_dump(mode="json"),
        JobConfig.model_validate(SCALED).resolved().model_dump(mode="json"),
    ]
    reordered = [dict(reversed(config.items())) for config in configs]
    assert (
        labels(reordered) == labels(configs) == ["raw pixels, clipped loss", "x/255, logits loss"]
    )


def test_a_difference_with_no_condition_is_explained_by_the_diagnostics_it_moves() -> None:
    _, [statement], sentences = report_parts(
        jobs(SCALED, [0.300, 0.310, 0.320], diagnostics={"input.std": 0.353}),
        jobs(THOUSAND, [0.331, 0.342, 0.349], diagnostics={"input.std": 0.0902}),
    )
    assert "paired t, 3 seeds, higher in 3 of 3)" in statement
    assert (
        "x/1000 instead of x/255: no condition differs, but the inputs' spread (standard "
        "deviation) at epoch 0 is 0.0902 in x/1000 against 0.353 in x/255 (3.9x; input.std)."
        in sentences
    )


def test_a_sweeps_labels_say_how_each_config_departs_from_the_common_one() -> None:
    configs = [
        JobConfig.model_validate(sections).resolved().model_dump(mode="json")
        for sections in (SCALED, FAST, THOUSAND, RAW | CLIPPED, {"model": {"activation": "tanh"}})
    ]
    assert labels(configs) == ["x/255", "lr 0.1", "x/1000", "raw pixels, clipped loss", "tanh"]


def test_no_innocence_is_claimed_across_configs_that_differ_in_several_factors() -> None:
    records = seed_question()
    records[3] = jobs(
        RAW | FAST | {"model": {"activation": "relu", "hidden_layers": [64]}},
        [0.50, 0.52],
        conditions=[condition("dead_units", "hidden_1.dead_share", 0.81, "hidden_1")],
        diagnostics={"hidden_1.dead_share": 0.81},
    )
    _, _, sentences = report_parts(*records)
    assert not any("is not what stops" in sentence for sentence in sentences)
