"""The analysis package stands on models alone, so the API and the worker can both call it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import analysis
for module in pkgutil.walk_packages(analysis.__path__, "analysis."):
    importlib.import_module(module.name)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_importing_every_analysis_module_loads_neither_tensorflow_nor_api_nor_worker() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "analysis" in loaded
    assert not {"tensorflow", "keras", "api", "worker", "celery"} & set(loaded)
