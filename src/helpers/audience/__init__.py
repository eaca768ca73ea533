"""Audience profiling: session (prepare), compute modules (bots, demographics, behaviour, interests, rfm, clusters,
retention, personas, explore; engine holds interactions in DuckDB), findings (lines and summary.json), charts."""
