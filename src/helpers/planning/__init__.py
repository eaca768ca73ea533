"""Content planning: what works, best windows, topic scoring, key dates, the calendar and its exports (issue 6)."""
