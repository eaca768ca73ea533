"""Cleaning comments: helpers.nlp.clean (shared base), re-exported unchanged; the review cleans by it too."""

from __future__ import annotations

from helpers.nlp.clean import (
    BOT_MIN_PER_DAY,
    REASONS,
    REPEAT_MIN_CHARS,
    REPEAT_MIN_USERS,
    CleanResult,
    clean_comments,
    comment_activity,
    detect_language,
    flag_comment_bots,
    mask_personal_data,
    safe_text,
    split_brand_rows,
)

__all__ = ["BOT_MIN_PER_DAY", "REASONS", "REPEAT_MIN_CHARS", "REPEAT_MIN_USERS", "CleanResult", "clean_comments",
           "comment_activity", "detect_language", "flag_comment_bots", "mask_personal_data", "safe_text",
           "split_brand_rows"]
