"""Experiment evaluation (METHODOLOGY 6): trustworthy A/B/n decisions for content and ads.

Submodules: `metrics` (metric definitions and per-variant sufficient statistics), `frequentist`
(tests and intervals), `srm`, `power`, `corrections`, `cuped`, `bayes`, `sequential`, `decision`.
"""
