"""Notebook 02: value x potential nine-box, RFM(T), lifecycle, churn risk, clusters; template 3 strategies."""
