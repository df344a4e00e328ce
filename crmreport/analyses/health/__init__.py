"""Notebook 06: relationship quality (RQI), emotional account, customer health score and lifetime value.

``rqi`` (trust, satisfaction, loyalty), ``emotional`` (decayed +1/-3 account and its churn claim),
``score`` (measure scores, bands, trend), ``churnlabel`` (who churned: lapsed or silent in the window),
``weights_model`` (weights from a regularised logistic regression with its own holdout), ``baselines``
(recency, RFM and P(alive), the scores to beat), ``backtest`` (AUC, paired test, deciles, calibration),
``churnfit`` (weights, scores, backtest and ranker of a period in one call), ``value`` (BG/NBD +
Gamma-Gamma CLV), ``pictures`` (radar, thermometer) and ``profile`` (the ``customer_health.csv`` contract).
"""

from . import backtest, baselines, churnfit, churnlabel, emotional, pictures, profile, rqi, score, value, weights_model

__all__ = ["backtest", "baselines", "churnfit", "churnlabel", "emotional", "pictures", "profile", "rqi", "score",
           "value", "weights_model"]
