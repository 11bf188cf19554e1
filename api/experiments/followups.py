"""Running a report's follow-ups: one new experiment with every follow-up's changed config on
the original's seeds, marked as the original's follow-ups so its report can confirm them."""

from typing import Any

from sqlalchemy.orm import Session

from analysis.report.build import build_report
from analysis.report.followups import FollowUp
from api.core.errors import NothingToFollowUp
from api.experiments import submission
from api.experiments.reruns import Resubmission
from api.experiments.service import experiment_jobs, get_experiment
from models.experiment_spec import ExperimentSpec, deep_merge


def changed_configs(follow_ups: list[FollowUp], ran: set[str]) -> list[dict[str, Any]]:
    """Each follow-up's changed config once, leaving out those already run."""
    configs: dict[str, dict[str, Any]] = {}
    for f in follow_ups:
        if f.key not in ran:
            configs.setdefault(f.key, deep_merge(f.spec["base"], f.spec["variants"][1]))
    return list(configs.values())


def run_follow_ups(session: Session, experiment_id: int, how: Resubmission) -> submission.Submitted:
    """Submit every follow-up of the experiment's report whose changed config no experiment
    of its has run yet; NothingToFollowUp if there is none."""
    source = get_experiment(session, experiment_id, how.owner)
    report = build_report(session, source, "")
    ran = {f.key for f in report.follow_ups if f.confirmation is not None}
    configs = changed_configs(report.follow_ups, ran)
    if not configs:
        raise NothingToFollowUp(
            f"experiment {experiment_id} has no follow-up left to run: its report suggests "
            f"{len(report.follow_ups)}, and every changed config has run"
        )
    seeds = sorted({job.seed for job in experiment_jobs(session, experiment_id)})
    spec = ExperimentSpec.model_validate(
        {"name": f"follow-ups of experiment {experiment_id}", "variants": configs, "seeds": seeds}
    )
    return how.submit(session, spec, follow_up_of=experiment_id)
