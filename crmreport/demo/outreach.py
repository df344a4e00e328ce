"""The outreach table: the randomised campaigns and the truth of their arms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .calendar import Calendar
from .columns import bool_column, clock_seconds, ref_column, stamp_column, table_frame, text_column
from .events import CAMPAIGN_LIFE_FACTOR, CAMPAIGNS, campaign_eligible, campaign_truth
from .population import Population


def simulate_outreach(rng: np.random.Generator, pop: Population, cal: Calendar,
                      ids: pa.Array) -> tuple[pd.DataFrame, dict]:
    """The randomised campaigns of :data:`crmreport.demo.events.CAMPAIGNS` and their truth."""
    frames, campaigns = [], {}
    for spec in CAMPAIGNS:
        label, first, after = cal.quarter(spec.quarter)
        start = first + spec.start_offset_days
        eligible = campaign_eligible(pop, spec, start)
        who = np.flatnonzero(eligible)
        k = len(who)
        arm = rng.permutation(k) % len(spec.arms)
        responded = rng.random(k) < np.array([a.response for a in spec.arms])[arm] \
            * CAMPAIGN_LIFE_FACTOR[pop.life[who]]
        converted = responded & (rng.random(k) < np.array([a.convert_given_response for a in spec.arms])[arm])
        revenue = np.array([a.revenue_median for a in spec.arms])[arm] * np.exp(spec.revenue_sigma
                                                                                * rng.standard_normal(k))
        campaign_id = f"{spec.prefix}-{label}"
        frames.append(table_frame("outreach", {
            "campaign_id": text_column(np.full(k, campaign_id)),
            "customer_id": ref_column(ids, who),
            "arm": text_column(tuple(a.name for a in spec.arms), arm),
            "assigned_at": stamp_column(cal, (start + rng.integers(0, spec.assign_days, k)) * 86400
                                        + clock_seconds(rng, k, "outbound")),
            "channel": text_column(np.full(k, spec.channel)),
            "responded": bool_column(responded),
            "converted": bool_column(converted),
            "revenue": pd.Series(np.where(converted, np.round(revenue, 2), 0.0)),
        }))
        contact = "e-mail" if spec.channel == "email" else "phone"
        campaigns[campaign_id] = {
            "channel": spec.channel, "quarter": label,
            "start": cal.date(start).isoformat(),
            "end": cal.date(after - 1).isoformat(),
            "control_arm": spec.arms[0].name,
            "eligible": f"{spec.customers} customers signed up before the start with a valid {contact}",
            "n_assigned": {a.name: int((arm == i).sum()) for i, a in enumerate(spec.arms)},
            **campaign_truth(pop, spec, eligible),
        }
    return pd.concat(frames, ignore_index=True), campaigns
