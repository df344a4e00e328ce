"""Notebook 06: relationship quality (RQI), emotional account, customer health score and lifetime value.

``rqi`` (trust, satisfaction, loyalty), ``emotional`` (decayed +1/-3 account and its churn claim),
``score`` (measure scores, weights, bands, trend, churn outcome), ``backtest`` (AUC, deciles,
calibration), ``value`` (BG/NBD + Gamma-Gamma CLV), ``pictures`` (radar, thermometer) and
``profile`` (the ``customer_health.csv`` contract).
"""

from . import backtest, emotional, pictures, profile, rqi, score, value

__all__ = ["backtest", "emotional", "pictures", "profile", "rqi", "score", "value"]
