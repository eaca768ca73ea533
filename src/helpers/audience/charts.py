"""Charts of audience profiling (the shared bar chart and heatmap for now; explorers live in `explore`)."""

from __future__ import annotations

from helpers.charts import bar_chart, close, heatmap, setup_style  # noqa: F401  (re-exported for the notebook)
