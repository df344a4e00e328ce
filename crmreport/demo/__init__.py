"""Synthetic, reproducible demo data for the eight contract tables, with its planted truth.

:mod:`crmreport.demo.generate` samples the tables and documents the ground truth;
:mod:`crmreport.demo.truth` gathers the latent model the truth is computed from.
"""

from .generate import DemoData, generate_demo, write_demo_data

__all__ = ["DemoData", "generate_demo", "write_demo_data"]
