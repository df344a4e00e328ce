"""Notebook 04: template 5, each KPI before vs after with its test and verdict."""
