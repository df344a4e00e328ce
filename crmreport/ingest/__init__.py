"""Ingest: read the sources, conform them to the contract, clean, quarantine and mask.

``prepare_dataset`` (in ``dataset``) is the one load path; everything downstream sees only
validated, masked tables."""
