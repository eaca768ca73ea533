"""Audience profiling helpers: bot filtering, demographics, behaviour, RFM, clustering, retention, personas."""
