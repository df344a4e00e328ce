"""Peak memory figures of a run: the process's own high-water mark and the kernels' (Linux /proc)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from crmreport.run.memory import peak_mib, reset_peak

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@linux
def test_peak_grows_with_an_allocation_and_reset_starts_afresh():
    reset_peak()
    before = peak_mib()
    block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
    grown = peak_mib()
    del block
    reset_peak()
    assert grown - before >= 60
    assert peak_mib() < grown - 30


def test_no_figure_for_a_process_that_does_not_exist():
    assert peak_mib(2**31 - 1) is None
