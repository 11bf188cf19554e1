"""The pages' HTML, over HTTP: what the server renders once, before the browser takes over."""

import re

from fastapi.testclient import TestClient

HTML = {"Accept": "text/html,application/xhtml+xml"}


def sections(html: str) -> list[str]:
    """The ids of the page's sections, in order; a folded one (`<details>`) marked so."""
    found = re.findall(r'<(section|details) id="([^"]+)"', html)
    return [name if tag == "section" else f"{name} (folded)" for tag, name in found]


def test_experiment_page_leads_with_the_answer_and_renders_no_image(client: TestClient) -> None:
    created = client.post("/experiments", json={"name": "page <one>"}).json()
    for url in (f"/ui/experiments/{created['id']}", f"/experiments/{created['id']}"):
        response = client.get(url, headers=HTML)
        assert response.status_code == 200
        assert sections(response.text) == ["summary", "curves", "comparisons", "runs"]
        assert "page &lt;one&gt;" in response.text
        assert "<img" not in response.text
        assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in response.text


def test_page_scripts_and_styles_are_served_by_the_app(client: TestClient) -> None:
    created = client.post("/experiments", json={}).json()
    pages = [
        "/ui/experiments",
        f"/ui/experiments/{created['id']}",
        f"/ui/jobs/{created['jobs'][0]['id']}",
    ]
    for url in pages:
        html = client.get(url).text
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset


def test_job_page_names_its_experiment_and_unknown_ids_are_404(client: TestClient) -> None:
    created = client.post("/experiments", json={}).json()
    job = created["jobs"][0]
    response = client.get(f"/ui/jobs/{job['id']}")
    assert response.status_code == 200
    assert f'href="/ui/experiments/{created["id"]}"' in response.text
    # The answer first: what went wrong, then the curves and the evidence; the config last.
    assert sections(response.text) == [
        "conditions",
        "curves",
        "diagnostics",
        "events",
        "config (folded)",
    ]
    assert client.get("/ui/jobs/999999").status_code == 404
    assert client.get("/ui/experiments/999999").status_code == 404


def test_experiments_page_searches_filters_and_pages(client: TestClient) -> None:
    tag = f"pages-{id(client)}"
    ids = [client.post("/experiments", json={"name": f"{tag} {i}"}).json()["id"] for i in range(3)]
    client.post(f"/experiments/{ids[0]}/cancel")
    found = client.get("/ui/experiments", params={"name": tag.upper(), "status": ""}).text
    assert [int(i) for i in re.findall(r'data-experiment="(\d+)"', found)] == ids[::-1]
    cancelled = client.get("/ui/experiments", params={"name": tag, "status": "cancelled"}).text
    assert re.findall(r'data-experiment="(\d+)"', cancelled) == [str(ids[0])]
    assert "No experiment matches" in client.get("/ui/experiments", params={"name": "zz-none"}).text
    assert client.get("/ui/experiments", params={"status": "done"}).status_code == 422
