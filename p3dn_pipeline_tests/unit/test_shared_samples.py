"""Tests that need the real samples in ../shared/samples skip where they are missing, except
under CI, where they fail: CI cannot go green without having run them."""

from __future__ import annotations

import pytest

from p3dn_pipeline_tests.conftest import REPO, SAMPLES, require_shared_samples, running_in_ci


@pytest.mark.parametrize("value, expected", [
    ("true", True), ("1", True), ("yes", True), ("TRUE", True),
    ("", False), ("0", False), ("false", False), ("False", False), (None, False)])
def test_ci_is_set_unless_empty_0_or_false(value, expected):
    assert running_in_ci({} if value is None else {"CI": value}) is expected


@pytest.mark.parametrize("environ", [{}, {"CI": "true"}])
def test_present_samples_neither_skip_nor_fail(tmp_path, environ):
    assert require_shared_samples(tmp_path, environ) is None


@pytest.mark.parametrize("environ", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_missing_samples_skip_outside_ci(tmp_path, environ):
    with pytest.raises(pytest.skip.Exception) as skipped:
        require_shared_samples(tmp_path / "samples", environ)
    assert str(skipped.value) == (
        f"the real samples are not in {tmp_path / 'samples'} (../shared/samples beside the "
        "repository)")


def test_missing_samples_fail_under_ci(tmp_path):
    with pytest.raises(pytest.fail.Exception) as failed:
        require_shared_samples(tmp_path / "samples", {"CI": "true"})
    assert str(failed.value) == (
        f"the real samples are not in {tmp_path / 'samples'} (../shared/samples beside the "
        "repository); CI is set, so this test fails rather than skips")


def test_the_samples_are_looked_for_beside_the_repository():
    assert SAMPLES == REPO.parent / "shared" / "samples"
