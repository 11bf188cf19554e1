"""The seed question answered end to end: a real worker trains, stops what cannot recover,
the report gives its verdict, and the follow-ups it suggests come back confirmed or open."""

import pytest

from harness.service import Service
from tests.integration.kinds import ANY_DATABASE

pytestmark = [pytest.mark.integration, ANY_DATABASE]

SEED_QUESTION = {
    "name": "seed question, small",
    "base": {
        "dataset": {"train_size": 2000, "test_size": 500},
        "training": {"epochs": 3},
        "loss": {"mode": "clipped_probabilities"},
    },
    "variants": [
        {"preprocessing": {"method": "scale", "divisor": 255}},
        {"preprocessing": {"method": "none"}},
    ],
    "seeds": [0, 1],
    "stop_early": True,
}


def test_the_seed_questions_answer_is_a_verdict_and_its_follow_ups_are_confirmed(
    service: Service,
) -> None:
    experiment = service.wait_experiment(service.post("/experiments", SEED_QUESTION).json()["id"])
    raw = [job for job in experiment["jobs"] if job["config"]["preprocessing"]["method"] == "none"]
    assert [job["stopped_early"] for job in raw] == [{"epoch": 2, "condition": "clipped_stall"}] * 2
    report = service.get_json(f"/experiments/{experiment['id']}/report")
    assert report["provisional"] is False
    assert report["summary"][0].startswith("x/255 reaches a lower test loss than raw pixels by")
    assert not any("unstable" in sentence for sentence in report["summary"])
    [row] = [row for row in report["configs"] if row["label"] == "raw pixels"]
    assert (row["learned"], row["stopped_early_seeds"]) == (False, 2)
    causes = {c["name"]: c["caused_by"] for c in row["conditions"]}
    assert causes["clipped_stall"] == "saturated_softmax"
    follow_up = service.post(f"/experiments/{experiment['id']}/follow-ups", {})
    assert follow_up.status_code == 202, follow_up.text
    service.wait_experiment(follow_up.json()["id"])
    after = service.get_json(f"/experiments/{experiment['id']}/report")
    found = {f["condition"]: f["confirmation"] for f in after["follow_ups"]}
    assert found["saturated_softmax"]["verdict"] == "confirmed"
    assert any(s.startswith("Confirmed by experiment") for s in after["summary"])
    # From the logits there is no clip: the stall is gone whatever the loss reached in 3
    # epochs on 2,000 raw images, which decides between confirmed and open.
    logits = found["clipped_stall"]
    assert logits["experiment_id"] == follow_up.json()["id"]
    assert logits["verdict"] in ("confirmed", "not_confirmed")
    assert "a stall at the 1e-7 clip" in logits["statement"]
    assert "(0 of 2 seeds)" in logits["statement"]
