"""The communication log of the interactions table: replies, complaint call-backs and the log columns.

Every inbound consultation gets a reply (an outbound follow-up on the same channel): within 24
hours with probability :data:`REPLY_24H`, else a day or more later. A resolved complaint ticket
gets a call-back after resolution with probability :data:`CALLBACK_SHARE`. The optional log
columns (topic, urgency, owner, due date, agreed follow-up, feedback) follow the interaction type
and channel; a follow-up is agreed on consultations (due in 1-3 days by urgency) and on complaints
(due 5 days later), so a late reply or a missing call-back leaves it past due.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import plant_contact_details, weighted_choice
from .vocabulary import KEY_ACCOUNT_MANAGERS, SERVICE_MANAGERS, STAFF, SURNAMES

SUGGESTION_SHARE = 0.15     # of inbound contacts (the rest are consultations)
REPLY_24H = 0.85
REPLY_RESPONDED = 0.9
CALLBACK_SHARE, CALLBACK_RESPONDED = 0.75, 0.85
#: reply channel for each inbound channel (an app message is answered by instant message, a visit by phone)
REPLY_CHANNEL = {"phone": "phone", "email": "email", "im": "im", "app": "im", "visit": "phone"}
#: topics per interaction type (the first one of follow_up is the reply to an enquiry)
TOPICS = {
    "consultation": ("product information", "pricing and quotation", "delivery status", "technical question",
                     "billing", "contract terms"),
    "complaint": ("product quality", "delivery delay", "service attitude", "billing error"),
    "suggestion": ("product improvement", "service process", "new feature request"),
    "follow_up": ("answer to enquiry", "complaint call-back", "satisfaction check", "onboarding", "renewal",
                  "after-sales check"),
    "visit": ("business review", "renewal negotiation", "on-site support"),
    "event": ("customer salon", "product training", "trade fair invitation"),
    "marketing": ("promotion", "new product launch", "loyalty programme"),
}
#: P(high, medium, low urgency) per interaction type
URGENCY = {"consultation": (0.2, 0.5, 0.3), "complaint": (0.6, 0.3, 0.1), "suggestion": (0.05, 0.35, 0.6),
           "follow_up": (0.1, 0.4, 0.5), "visit": (0.15, 0.5, 0.35), "event": (0.02, 0.28, 0.7),
           "marketing": (0.02, 0.18, 0.8)}
FOLLOW_UPS = {"consultation": ("send the quotation", "call back with the answer", "send the product documents",
                               "check the delivery date with logistics", "回复报价", "技术人员回电"),
              "complaint": ("call back after the ticket is resolved", "offer a replacement", "投诉处理后回访",
                            "escalate to the service manager")}
CONSULTATION_DUE_DAYS = np.array([1, 2, 3])   # by urgency high / medium / low
COMPLAINT_DUE_DAYS = 5
FEEDBACK = (("disappointed with the delivery time", "价格太高", "the problem is still not solved", "对服务不满意"),
            ("will discuss internally", "需要再考虑", "asked for more information", "no comment"),
            ("very happy with the quick answer", "服务很好", "thanks for the help", "对产品很满意"))
PHONE_FEEDBACK = ("please call me back on {}", "我的新号码是{}", "reach me at {} after 6 pm")


def replies(rng: np.random.Generator, seconds: np.ndarray, channel: list[str],
            horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replies to inbound consultations: (row of the consultation, reply second, reply channel).

    Replies that would fall after ``horizon`` (the window's end) are not in the data.
    """
    k = len(seconds)
    met = rng.random(k) < REPLY_24H
    hours = np.where(met, 24 * rng.beta(1.2, 3.0, k), 24 + rng.exponential(36.0, k))
    at = seconds + np.maximum(np.round(hours * 3600), 300).astype(np.int64)
    rows = np.flatnonzero(at < horizon)
    return rows, at[rows], np.array([REPLY_CHANNEL[c] for c in np.asarray(channel, dtype=object)[rows]], dtype=object)


def callbacks(rng: np.random.Generator, resolved: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Call-backs after resolved complaint tickets (``resolved`` -1 = open): (row of the complaint, second)."""
    k = len(resolved)
    at = resolved + rng.integers(2 * 3600, 48 * 3600, k)
    rows = np.flatnonzero((resolved >= 0) & (rng.random(k) < CALLBACK_SHARE) & (at < horizon))
    return rows, at[rows]


def log_columns(rng: np.random.Generator, cust: np.ndarray, day: np.ndarray, itype: np.ndarray, channel: np.ndarray,
                kind: np.ndarray, sentiment: np.ndarray, b2b: np.ndarray,
                manager: np.ndarray) -> tuple[dict[str, pd.Series | np.ndarray], int, int]:
    """The optional communication-log columns, one value per interaction.

    ``itype`` and ``channel`` are names; ``kind`` is 0 ordinary, 1 reply to a consultation, 2 complaint
    call-back; ``sentiment`` -1/0/1 or -2 when empty. Returns the columns (names, due day, -1 = none)
    and the number of planted phone numbers and e-mail addresses in the feedback.
    """
    m = len(cust)
    topic = np.empty(m, dtype=object)
    urgency = np.empty(m, dtype=np.int64)
    for name, topics in TOPICS.items():
        rows = np.flatnonzero(itype == name)
        lo = 2 if name == "follow_up" else 0
        topic[rows] = np.array(topics, dtype=object)[lo + rng.integers(0, len(topics) - lo, len(rows))]
        urgency[rows] = weighted_choice(rng, URGENCY[name], len(rows))
    topic[kind == 1], topic[kind == 2] = TOPICS["follow_up"][0], TOPICS["follow_up"][1]
    topic[(channel == "survey")] = "satisfaction check"
    topic[(channel == "sms") & (topic == "new product launch")] = "promotion"
    outbound = np.isin(itype, ("follow_up", "visit", "event", "marketing"))
    own = np.where(rng.random(m) < 0.85, manager[cust], rng.integers(0, len(KEY_ACCOUNT_MANAGERS), m))
    desk = len(KEY_ACCOUNT_MANAGERS) + rng.integers(0, len(SERVICE_MANAGERS), m)
    owner = np.where(outbound | (b2b[cust] & (rng.random(m) < 0.6)), own, desk)
    consult, complaint = itype == "consultation", itype == "complaint"
    agreed = (consult & (rng.random(m) < 0.7)) | complaint
    due = np.where(agreed, day + np.where(consult, CONSULTATION_DUE_DAYS[urgency], COMPLAINT_DUE_DAYS), -1)
    follow = np.empty(m, dtype=object)
    for name in FOLLOW_UPS:
        rows = np.flatnonzero(agreed & (itype == name))
        follow[rows] = np.array(FOLLOW_UPS[name], dtype=object)[rng.integers(0, len(FOLLOW_UPS[name]), len(rows))]
    said = (sentiment > -2) & (rng.random(m) < np.where(outbound, 0.35, 0.5))
    pool = rng.integers(0, 4, m)
    feedback = np.array([FEEDBACK[s + 1][p] if ok else None for s, p, ok in zip(sentiment, pool, said, strict=True)],
                        dtype=object)
    n_phone, n_email = min(max(2, round(0.001 * m)), m // 2), min(max(2, round(0.0005 * m)), m // 2)
    plant_contact_details(rng, feedback, rng.choice(m, n_phone + n_email, replace=False), n_phone, PHONE_FEEDBACK,
                          "please write to {}@126.com", SURNAMES[1])
    columns = {"topic": topic, "urgency": np.array(("high", "medium", "low"))[urgency],
               "owner": np.array(STAFF)[owner], "due_day": due, "follow_up": follow, "feedback": feedback}
    return columns, n_phone, n_email
