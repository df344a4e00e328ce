"""The run: output paths, papermill execution of the notebooks, the manifest."""
