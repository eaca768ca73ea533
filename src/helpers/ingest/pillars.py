"""Content pillars for imported posts: platform exports carry none, so keyword rules tag them.

A rules file (YAML) maps each pillar to the keywords that mark it, checked in file order against the
post's title and topics (case-insensitive); the first pillar with a matching keyword wins:

    # pillars.yaml — pillar: keywords in the title or topics
    成分科普: [成分, 烟酰胺, 视黄醇, 水杨酸]
    教程: [教程, 步骤, 手法]
    品牌活动: [直播, 抽奖, 福利]

`opsbook store pillars FILE` saves the rules in the store (STORE/pillars.yaml) and re-tags the
stored posts; every later import tags its new posts with them. A post that matches no rule keeps
its pillar missing (never a made-up "other"), and `pillar_source` says where each pillar came from:
"export" (an export had it), "file" (a canonical posts file gave it), "rule" (tagged here) or
missing. Rules never replace an "export" or "file" pillar, also when a later export of the post
arrives. When rules change, a post that matches none of the new rules keeps its earlier rule pillar
(a merge never erases a value): re-import into a fresh store, or rebuild, to drop it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from helpers.errors import ParameterError

RULES_FILE = "pillars.yaml"


@dataclass(frozen=True)
class PillarRules:
    """Ordered pillar → keywords rules; `tag` applies them to posts."""

    rules: tuple[tuple[str, tuple[str, ...]], ...]
    source: str = ""

    def pillar_of(self, text: str) -> str | None:
        """The first pillar whose keyword occurs in the text (case-insensitive), or None."""
        lowered = text.casefold()
        for pillar, keywords in self.rules:
            if any(k.casefold() in lowered for k in keywords):
                return pillar
        return None

    def tag(self, posts: pd.DataFrame, retag: bool = False) -> pd.DataFrame:
        """Posts with pillar filled from the rules where it is missing (or was rule-tagged, when `retag`)."""
        out = posts.copy()
        if "pillar" not in out.columns:
            out["pillar"] = pd.Series(pd.NA, index=out.index, dtype="string")
        source = (out["pillar_source"].astype("string") if "pillar_source" in out.columns
                  else pd.Series(pd.NA, index=out.index, dtype="string"))
        source = source.mask(source.isna() & out["pillar"].notna(), "export")
        open_ = out["pillar"].isna() | (retag & source.eq("rule").fillna(False))
        text = (out.get("title", pd.Series("", index=out.index)).astype("string").fillna("") + " "
                + out.get("topics", pd.Series("", index=out.index)).astype("string").fillna(""))
        found = pd.Series([self.pillar_of(t) for t in text[open_]], index=text[open_].index, dtype="string")
        pillar = out["pillar"].astype("string")
        pillar[open_] = found
        source[open_] = found.notna().map({True: "rule", False: pd.NA}).astype("string")
        out["pillar"], out["pillar_source"] = pillar, source
        return out

    def __repr__(self) -> str:
        return f"PillarRules({len(self.rules)} pillars: {', '.join(p for p, _ in self.rules)})"


def load_rules(path: str | Path) -> PillarRules:
    """Read and check a rules file (ParameterError naming the file and the entry at fault)."""
    file = Path(path)
    if not file.is_file():
        raise ParameterError(f"{file}: no such pillar rules file.")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"{file.name}: not valid YAML ({exc}).") from None
    if not isinstance(data, dict) or not data:
        raise ParameterError(f"{file.name}: expected 'pillar: [keyword, ...]' lines, e.g. '教程: [教程, 步骤]'.")
    rules = []
    for pillar, keywords in data.items():
        words = [keywords] if isinstance(keywords, (str, int)) else keywords
        if not isinstance(words, list) or not words or not all(isinstance(k, (str, int)) and str(k).strip()
                                                                for k in words):
            raise ParameterError(f"{file.name}, pillar {pillar!r}: give a list of keywords, e.g. [教程, 步骤]; "
                                 f"got {keywords!r}.")
        rules.append((str(pillar).strip(), tuple(str(k).strip() for k in words)))
    return PillarRules(tuple(rules), file.name)


def stored_rules(store_root: Path) -> PillarRules | None:
    """The rules saved in a store (None when it has none)."""
    path = Path(store_root) / RULES_FILE
    return load_rules(path) if path.is_file() else None
