"""Hypothesis profiles: few examples locally, more in CI (CI=true)."""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=10, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci", max_examples=25, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE",
                                     "ci" if os.environ.get("CI") else "dev"))


import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _results_store_in_a_temporary_folder(tmp_path_factory):
    """Verdicts recorded by the tests go to a throw-away store, never to the
    user's cache folder."""
    path = tmp_path_factory.mktemp("store") / "results.sqlite"
    old = os.environ.get("CMWORK_STORE")
    os.environ["CMWORK_STORE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CMWORK_STORE", None)
    else:
        os.environ["CMWORK_STORE"] = old
