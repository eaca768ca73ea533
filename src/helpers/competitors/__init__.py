"""Competitor analysis helpers: benchmark, share of voice, content mix, hit posts and gaps (issue 5)."""
