"""A corpus of data folders, each the sample with one defect real exports have (see defects.py)."""
