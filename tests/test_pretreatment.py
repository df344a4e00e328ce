"""Pre-treatment customer groups shared by notebooks 03 and 04: rules of notebook 02, fixed before the treatment."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from conftest import params_for

from crmreport.analyses.abtests import campaign_results
from crmreport.analyses.segments import pretreatment, segmentation
from crmreport.ingest.dataset import prepare_dataset


@pytest.fixture(scope="module")
def demo():
    params = params_for("")
    return prepare_dataset(params), params


def test_groups_follow_notebook_02_and_newcomers_are_new(demo):
    data, params = demo
    as_of = date(2025, 3, 31)
    groups = pretreatment.pre_treatment_segments(data, params.segmentation, as_of)
    same = segmentation.segment_customers(data, as_of, params.segmentation, clusters=False)
    merged = groups.merge(same[["customer_id", "segment"]], on="customer_id", how="left", suffixes=("", "_02"))
    known = merged["segment_02"].notna()
    assert (merged.loc[known, "segment"].astype(str) == merged.loc[known, "segment_02"]).all()
    signed_later = data.tables["customers"].set_index("customer_id")["signup_date"] > pd.Timestamp(as_of)
    assert set(merged.loc[~known, "customer_id"]) == set(signed_later[signed_later].index)
    assert (merged.loc[~known, "segment"] == pretreatment.NEW).all()
    assert list(groups["segment"].cat.categories)[0] == "core" and len(groups) == len(data.tables["customers"])
    tiers = pretreatment.pre_treatment_segments(data, params.segmentation, as_of, by="value_tier")
    assert set(tiers["segment"]) <= {"high", "medium", "low", "new"}
    types = pretreatment.pre_treatment_segments(data, params.segmentation, as_of, by="customer_type")
    assert set(types["segment"]) == set(data.tables["customers"]["customer_type"])
    with pytest.raises(ValueError, match="segments_by"):
        pretreatment.groups_from(same, data.tables["customers"], "region")


def test_ab_breakdown_uses_the_segmentation_as_of_each_campaign_start(demo):
    data, params = demo
    results = campaign_results.evaluate_period(data, params)
    starts = results.overview.set_index("campaign_id").loc[results.active, "first_assigned"]
    expected = pretreatment.campaign_segments(data, params.segmentation, starts)
    for campaign_id, start in starts.items():
        day = (pd.Timestamp(start).normalize() - pd.Timedelta(days=1)).date()
        direct = segmentation.segment_customers(data, day, params.segmentation, clusters=False)
        mine = expected[expected["campaign_id"] == campaign_id].set_index("customer_id")["segment"]
        assert (mine.loc[direct["customer_id"]].astype(str).to_numpy() == direct["segment"].to_numpy()).all()
    slices = set(results.tests.loc[results.tests["segment"] != "all", "segment"])
    assert slices and slices <= set(segmentation.SEGMENTS) | {pretreatment.NEW}
    # customer type stays a params choice
    by_type = params.model_copy(update={"segmentation": params.segmentation.model_copy(
        update={"segments_by": "customer_type"})})
    typed = campaign_results.evaluate_period(data, by_type)
    assert set(typed.tests.loc[typed.tests["segment"] != "all", "segment"]) <= {"B2B", "B2C"}


def test_groups_are_shown_in_the_order_of_their_breakdown():
    assert pretreatment.ordered_groups(["new", "zeta", "core", "core", "alpha"], "nine_box") == [
        "core", "new", "alpha", "zeta"]
    frame = pd.DataFrame({"campaign_id": ["A", "A", "A"], "segment": ["low", "high", "new"], "arm": "x"})
    ordered = pretreatment.sort_by_group(frame, ["campaign_id", "segment", "arm"], "value_tier")
    assert ordered["segment"].tolist() == ["high", "low", "new"]
