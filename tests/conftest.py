import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory):
    """Every test session trains into its own cache, never into the user's."""
    os.environ["GLO_CACHE_DIR"] = str(tmp_path_factory.mktemp("glo-cache"))
    os.environ.setdefault("MPLBACKEND", "Agg")
    yield


@pytest.fixture(scope="session")
def tiny_cfg():
    from glo_lib import GLOConfig

    return GLOConfig(n_samples=40, epochs=2, batch_size=16)


@pytest.fixture(scope="session")
def tiny_digits(tiny_cfg):
    from glo_lib import load_digits

    return load_digits(tiny_cfg)


@pytest.fixture(scope="session")
def built_report(tmp_path_factory):
    """The real notebooks executed in smoke mode into a real PDF, once per session (test_build,
    test_pdf): (the PDF, the build folder with executed/ and the saved tables)."""
    from glo_lib.reporting.build import build

    out = tmp_path_factory.mktemp("build")
    return build(smoke=True, root=ROOT, out_dir=out, progress=False), out
