"""Each follow-up's outcome, once run: the changed config's seeds against the original's.

A follow-up is confirmed when, with its change, most seeds no longer show the condition and the
report's metric improved beyond seed noise (the paired difference is `different`, the changed
config better); pending while any of its jobs are still to run; not confirmed otherwise, with
what did happen, so a diagnosis whose test failed is stated as open.
"""

from collections.abc import Sequence

from analysis.conditions.words import condition_words
from analysis.report.comparisons import DEFAULT_MARGINS, Metric, difference
from analysis.report.followups import Confirmation, FollowUp
from analysis.report.groups import ConfigGroup
from analysis.report.statistics import Verdict, judge
from analysis.report.verdict import roots
from analysis.report.wording import certainty, count, pair_text
from models.condition import ConditionName
from models.job import ACTIVE_STATUSES

CONFIRMED, NOT_CONFIRMED, PENDING = "confirmed", "not_confirmed", "pending"


def _shows(group: ConfigGroup, condition: str) -> int:
    """How many of the group's measured seeds show the condition."""
    return sum(1 for job in group.measured if job.has(condition))


def _improved(before: ConfigGroup, after: ConfigGroup, metric: Metric) -> tuple[bool, str]:
    """Whether the changed config is better beyond seed noise, and the figures that say so."""
    d = difference(before, after, metric)
    j = judge(d, 1, DEFAULT_MARGINS[metric]) if d else None
    sa, sb = before.final_summary(metric), after.final_summary(metric)
    if sa is None or sb is None:
        return False, f"no {metric.words} to compare"
    now, then = pair_text(sb.mean, sa.mean)
    better = j is not None and j.verdict is Verdict.DIFFERENT
    better = better and d is not None and (d.difference > 0) != metric.higher_is_better
    return better, f"{metric.words} {now} against {then}; {certainty(j)}"


def _still_failing(after: ConfigGroup) -> str:
    """', and the run still did not learn: ...' when the changed config failed too."""
    if after.learned() is not False:
        return ""
    causes = [c for c in roots(after) if c.name != ConditionName.AT_CHANCE]
    named = "; ".join(condition_words(c.name, c.subject) for c in causes)
    return ", and the run still did not learn" + (
        f": its cause is {named}" if named else " (at chance, no cause found)"
    )


def _outcome(
    follow_up: FollowUp, before: ConfigGroup, after: ConfigGroup, metric: Metric
) -> tuple[str, str]:
    """The verdict and the statement of a follow-up whose jobs have all ended: confirmed when
    the condition is gone, the metric improved beyond seed noise and the run learned."""
    condition = condition_words(follow_up.condition)
    seen = f"{_shows(after, follow_up.condition)} of {count(len(after.measured), 'seed')}"
    improved, figures = _improved(before, after, metric)
    gone = 2 * _shows(after, follow_up.condition) <= len(after.measured)
    failing = _still_failing(after)
    if gone and improved and not failing:
        return CONFIRMED, f"With {follow_up.change}, {condition} is gone ({seen}) and {figures}."
    if not gone:
        what = f"{condition} stayed ({seen})"
    elif improved:
        what = f"{condition} went away ({seen}) and {figures}"
    else:
        what = f"{condition} went away ({seen}) but the figure did not improve ({figures})"
    return NOT_CONFIRMED, f"With {follow_up.change}, {what}{failing}."


def confirmation(
    follow_up: FollowUp,
    before: ConfigGroup,
    after: ConfigGroup,
    experiment_id: int,
    metric: Metric,
) -> Confirmation:
    """What the follow-up's run showed against the config as it first ran."""
    waiting = sum(1 for job in after.records if job.status in ACTIVE_STATUSES)
    if waiting:
        statement = f"{count(waiting, 'job')} of the follow-up still to run."
        return Confirmation(experiment_id=experiment_id, verdict=PENDING, statement=statement)
    verdict, statement = _outcome(follow_up, before, after, metric)
    return Confirmation(experiment_id=experiment_id, verdict=verdict, statement=statement)


def confirm(
    follow_ups: Sequence[FollowUp],
    groups: Sequence[ConfigGroup],
    runs: Sequence[tuple[int, Sequence[ConfigGroup]]],
    metric: Metric,
) -> list[FollowUp]:
    """The follow-ups, each with its confirmation where a run of its changed config exists:
    in the experiment itself or in one run as its follow-ups (the newest first)."""
    by_label = {group.label: group for group in groups}
    found = []
    for follow_up in follow_ups:
        before = by_label[follow_up.config]
        run = next(
            (
                (experiment_id, group)
                for experiment_id, candidates in runs
                for group in candidates
                if group.key == follow_up.key
            ),
            None,
        )
        if run is not None:
            follow_up = follow_up.model_copy(
                update={"confirmation": confirmation(follow_up, before, run[1], run[0], metric)}
            )
        found.append(follow_up)
    return found
