"""GET /experiments/{id}/plot.{svg,png} over HTTP, several at once from request threads."""

import io
import re
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

import matplotlib.image
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from models.base import utcnow
from models.experiment import Experiment
from models.job import JobStatus
from models.metric import EpochMetric
from models.spec import JobConfig
from tests.rows import job_row

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}svg"


def arrange(session: Session, name: str, final_test_loss: float) -> int:
    """An experiment of two seeds that trained two epochs toward this final test loss."""
    experiment = Experiment(name=name, spec={})
    config = JobConfig.model_validate({"training": {"epochs": 2}}).resolved()
    for seed in (0, 1):
        job = job_row(
            experiment,
            config,
            seed,
            epochs_done=2,
            status=JobStatus.SUCCEEDED,
            finished_at=utcnow(),
            final_test_loss=final_test_loss,
            stuck=False,
        )
        session.add(job)
        session.flush()
        for epoch, loss in enumerate((2.3, 1.0, final_test_loss)):
            noise = 0.01 * seed
            session.add(
                EpochMetric(
                    job_id=job.id,
                    epoch=epoch,
                    loss=loss + noise,
                    accuracy=0.5,
                    test_loss=loss + 2 * noise,
                    test_accuracy=0.4 + 0.1 * epoch + noise,
                    seconds=0.1,
                )
            )
    session.commit()
    return experiment.id


def test_plots_rendered_at_once_from_several_threads_each_show_their_own_experiment(
    client: TestClient, session: Session
) -> None:
    names = [f"concurrent plot {index}" for index in range(8)]
    ids = [arrange(session, name, 0.3 + 0.05 * index) for index, name in enumerate(names)]
    requests = [(i, image) for i in ids for image in ("svg", "png")]

    def plot(request: tuple[int, str]) -> tuple[int, str, int, bytes]:
        response = client.get(f"/experiments/{request[0]}/plot.{request[1]}")
        return request[0], request[1], response.status_code, response.content

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(plot, requests))
    assert {status for _, _, status, _ in results} == {200}
    pngs = []
    for experiment_id, image, _, content in results:
        name = names[ids.index(experiment_id)]
        if image == "svg":
            assert ElementTree.fromstring(content).tag == SVG  # noqa: S314 (our own output)
            # Matplotlib draws text as paths and writes each string beside it as a comment.
            texts = re.findall(r"<!-- (.*?) -->", content.decode())
            assert any(t.startswith(f"{name} (experiment {experiment_id},") for t in texts)
            assert not [t for t in texts for other in names if other != name and other in t]
        else:
            assert content.startswith(PNG_SIGNATURE)
            pixels = matplotlib.image.imread(io.BytesIO(content), format="png")
            assert pixels.shape[:2] == (924, 1650)  # the whole figure: 15 x 8.4 inches at 110 dpi
            pngs.append(content)
    assert len(set(pngs)) == len(ids)  # each experiment's curves differ, and so do its pixels
