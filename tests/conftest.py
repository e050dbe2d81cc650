"""Hypothesis profiles: "dev" (default, quick), "ci" (bounded, used when CI is set),
"thorough" (long). Choose with HYPOTHESIS_PROFILE=thorough. And the shared fixtures."""

import os

import pytest
from hypothesis import HealthCheck, settings

import tinygrad_edu as tg

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=25, **_common)
settings.register_profile("ci", max_examples=40, derandomize=True, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=500, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def restore_default_dtype():
    """Put the default dtype back after a test that sets it."""
    old = tg.get_default_dtype()
    yield
    tg.set_default_dtype(old)
