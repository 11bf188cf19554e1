"""The browser's pages over HTTP: the list, one experiment, and the JSON route answering HTML."""

from fastapi.testclient import TestClient

HTML = {"accept": "text/html,application/xhtml+xml"}


def test_a_browser_gets_the_same_experiment_page_from_both_addresses(client: TestClient) -> None:
    created = client.post("/experiments", json={"name": "page of one"}).json()
    ui = client.get(f"/ui/experiments/{created['id']}")
    negotiated = client.get(f"/experiments/{created['id']}", headers=HTML)
    for response in (ui, negotiated):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "page of one" in response.text
    assert client.get(f"/experiments/{created['id']}").json()["name"] == "page of one"


def test_the_experiments_page_lists_them_and_a_missing_one_is_404(client: TestClient) -> None:
    client.post("/experiments", json={"name": "listed on the page"})
    listing = client.get("/ui/experiments")
    assert listing.status_code == 200
    assert "listed on the page" in listing.text
    assert client.get("/ui/experiments/999999").status_code == 404
