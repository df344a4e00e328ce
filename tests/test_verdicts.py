"""The one verdict vocabulary (crmreport/core/verdicts.py) that KPIs, DiD and A/B tests share."""

from __future__ import annotations

import numpy as np
import pytest

from crmreport.core import verdicts as v
from crmreport.core.i18n import catalog


@pytest.mark.parametrize(("change", "p", "mmc", "better", "insufficient", "expected"), [
    (0.3, 0.001, 0.1, "higher", False, "significant_improvement"),
    (-0.3, 0.001, 0.1, "higher", False, "significant_deterioration"),
    (-2.8, 0.001, 1.0, "lower", False, "significant_improvement"),
    (2.8, 0.001, 1.0, "lower", False, "significant_deterioration"),
    (0.05, 0.001, 0.1, "higher", False, "no_significant_change"),  # significant but too small to matter
    (0.3, 0.2, 0.1, "higher", False, "no_significant_change"),
    (0.3, np.nan, 0.1, "higher", False, "insufficient_data"),
    (0.3, 0.001, 0.1, "higher", True, "insufficient_data"),
    (0.0, 0.0, 0.0, "higher", False, "no_significant_change"),  # zero variance: no change is no effect
])
def test_verdict_is_direction_aware_and_needs_a_meaningful_size(change, p, mmc, better, insufficient, expected):
    assert v.verdict(change, p, 0.05, better, mmc, insufficient=insufficient) == expected


def test_an_ab_test_is_judged_with_the_same_rule_and_an_srm_makes_it_untrustworthy():
    assert v.verdict(0.02, 0.01, 0.05) == "significant_improvement"
    assert v.verdict(-0.02, 0.01, 0.05) == "significant_deterioration"
    assert v.verdict(0.02, 0.2, 0.05) == "no_significant_change"
    assert v.verdict(0.0, float("nan"), 0.05) == "insufficient_data"
    assert v.verdict(0.02, 0.01, 0.05, untrustworthy=True) == "untrustworthy"
    assert v.verdict(0.02, float("nan"), 0.05, untrustworthy=True) == "untrustworthy"


def test_the_vocabulary_is_one_set_of_words_in_both_languages():
    assert set(v.SIGNIFICANT) | {v.NO_CHANGE, v.INSUFFICIENT, v.UNTRUSTWORTHY} == set(v.VERDICTS)
    assert tuple(x for x in v.VERDICTS if x != v.UNTRUSTWORTHY) == v.OBSERVATIONAL
    messages = catalog()
    for prefix, words in (("ab_verdict_", v.VERDICTS), ("kpi_verdict_", v.OBSERVATIONAL)):
        assert [w for w in words if set(messages.get(f"label.{prefix}{w}", {})) != {"en", "zh"}] == []
    # one translation of a verdict, whichever analysis reached it
    assert all(messages[f"label.ab_verdict_{w}"]["zh"] == messages[f"label.kpi_verdict_{w}"]["zh"]
               for w in v.OBSERVATIONAL)
