"""The everyday verbs of an experiment: rename, notes and tags, archive, delete, re-run, compare."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from analysis.report.side_by_side import ExperimentComparison
from api.core.auth import OwnerDep
from api.deps import BrokerDep, ExperimentId, JobId, SessionDep, SettingsDep, TransactionRoute
from api.experiments import deletion, diagnosis, followups, reruns
from api.experiments import service as services
from api.experiments.presenters import experiment_comparison, experiment_out, submitted_response
from api.experiments.schemas import CompareQuery, ExperimentOut, ExperimentPatch, RediagnosisOut

router = APIRouter(route_class=TransactionRoute)


async def resubmission(
    owner: OwnerDep, broker: BrokerDep, settings: SettingsDep
) -> reruns.Resubmission:
    """Who re-runs, through which broker, within which quota."""
    return reruns.Resubmission(owner, broker, settings.max_active_jobs_per_key)


ResubmissionDep = Annotated[reruns.Resubmission, Depends(resubmission)]


@router.get("/experiments/compare", tags=["experiments"])
def compare_experiments(
    session: SessionDep, owner: OwnerDep, params: Annotated[CompareQuery, Query()]
) -> ExperimentComparison:
    """Two experiments' configs side by side in one report: the same per-config statistics,
    pairs, findings and summary; a config both ran is compared with itself across them."""
    return experiment_comparison(session, params, owner)


@router.patch("/experiments/{experiment_id}", tags=["experiments"])
def update_experiment(
    experiment_id: ExperimentId, changes: ExperimentPatch, session: SessionDep, owner: OwnerDep
) -> ExperimentOut:
    """Rename the experiment, or set its notes or tags; fields left out keep their values."""
    fields = changes.model_dump(exclude_unset=True)
    return experiment_out(
        session, services.update_experiment(session, experiment_id, owner, fields)
    )


@router.post("/experiments/{experiment_id}/archive", tags=["experiments"])
def archive_experiment(
    experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep
) -> ExperimentOut:
    """Archive it: kept and readable, but left out of GET /experiments unless `archived=true`."""
    experiment = services.set_archived(session, experiment_id, owner, archived=True)
    return experiment_out(session, experiment)


@router.post("/experiments/{experiment_id}/unarchive", tags=["experiments"])
def unarchive_experiment(
    experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep
) -> ExperimentOut:
    """Bring an archived experiment back into the lists."""
    experiment = services.set_archived(session, experiment_id, owner, archived=False)
    return experiment_out(session, experiment)


@router.delete(
    "/experiments/{experiment_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["experiments"]
)
def delete_experiment(
    experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep
) -> Response:
    """Delete it with its jobs, metrics, diagnostics, events and conditions. Its jobs are
    cancelled first; while any still runs the answer is 409: retry once they have stopped."""
    deletion.delete_experiment(session, experiment_id, owner)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/experiments/{experiment_id}/rerun",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["experiments"],
)
def rerun_experiment(
    experiment_id: ExperimentId, response: Response, session: SessionDep, how: ResubmissionDep
) -> ExperimentOut:
    """A new experiment with the same configs and seeds, name and tags; notes say its source."""
    rerun = reruns.rerun_experiment(session, experiment_id, how)
    return submitted_response(session, rerun, response)


@router.post(
    "/experiments/{experiment_id}/follow-ups",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["experiments"],
)
def run_follow_ups(
    experiment_id: ExperimentId, response: Response, session: SessionDep, how: ResubmissionDep
) -> ExperimentOut:
    """Run every follow-up of the experiment's report as one new experiment on its seeds; the
    original report's follow-ups then carry what the run confirmed (409 if none is left)."""
    submitted = followups.run_follow_ups(session, experiment_id, how)
    return submitted_response(session, submitted, response)


@router.post("/experiments/{experiment_id}/rediagnose", tags=["experiments"])
def rediagnose_experiment(
    experiment_id: ExperimentId, session: SessionDep, owner: OwnerDep
) -> RediagnosisOut:
    """Recompute every ended job's conditions and curve summary from its stored epochs, with
    the rules this server runs (after an upgrade changed them)."""
    done = diagnosis.rediagnose_experiment(session, experiment_id, owner)
    return RediagnosisOut.model_validate(done, from_attributes=True)


@router.post(
    "/jobs/{job_id}/rerun",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["jobs"],
)
def rerun_job(
    job_id: JobId, response: Response, session: SessionDep, how: ResubmissionDep
) -> ExperimentOut:
    """A new one-job experiment with the job's config and seed, its experiment's name and tags."""
    return submitted_response(session, reruns.rerun_job(session, job_id, how), response)
