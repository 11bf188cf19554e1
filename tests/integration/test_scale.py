"""The service on several hosts, one worker host cut off in the middle of a job and plugged in
again (make scale-demo): every job succeeds, once."""

import os
from pathlib import Path

import pytest

from harness import scale_demo

pytestmark = pytest.mark.integration


def test_a_worker_host_cut_off_mid_job_loses_no_job_and_runs_none_twice(tmp_path: Path) -> None:
    reason = scale_demo.unavailable()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI runs as root with the tools installed by make test
        pytest.skip(reason)
    figures = scale_demo.run(tmp_path)
    print(scale_demo.closing_line(figures))
    assert figures["jobs"] >= 40
    assert (figures["succeeded"], figures["lost"], figures["run_twice"]) == (figures["jobs"], 0, 0)
