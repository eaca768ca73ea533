"""Experiment evaluation (METHODOLOGY 6): trustworthy A/B/n decisions for content and ads.

Rooms: `session` (the notebook's parameters → checked settings and loaded data; entry point
`prepare`), `findings` (the lines a reader sees and summary.json), `charts` (figures and the
explorer widget). Compute modules: `design` (the experiments table), `metrics` (metric definitions
and per-variant sufficient statistics), `frequentist` (tests and intervals), `srm`, `power`,
`corrections`, `cuped`, `bayes`, `sequential`, `decision`, `evaluate` (all of them on one
experiment) and `explore` (what the explorer computes for one choice).
"""
