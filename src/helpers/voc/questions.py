"""Questions in comments: detection, near-duplicate groups, ranking, and rows for the topic bank.

- **Detection** (``is_question``, vectorised regex): a question mark (? or ？); the particle 吗; 呢 at the
  end of a clause ("那油皮呢"); a Chinese question word (怎么, 怎样, 如何, 为什么, 为啥, 什么, 啥, 哪, 多少,
  多久, 几天, 能不能, 可不可以, 是不是, 有没有, 会不会, 要不要, 是否, 能否, 可否, 求链接 …) once exclamative
  and idiomatic uses are taken out first (怎么这么/那么, 为什么这么, 什么都, 没什么, 不知道说什么,
  多少有点/有些); an English clause that starts with how/what/where/when/which/who/why/can/could/do/does/
  did/is/are/will/would/should and has no "!". Precision and recall on a hand-labelled list of 40
  comments are printed by tests/test_voc_questions.py.
- **Groups** (``group_questions``): texts are normalised (NFKC, lower case; punctuation, spaces, emoji and
  the politeness/particle parts 请问, 想问, 问一下, 吗, 呢, 啊, 呀 removed); the ``max_unique`` most frequent
  distinct normalised texts are compared by cosine similarity of character 1–2-gram TF-IDF vectors
  (with 1,000 texts or more, characters in more than 10 % of them are dropped: they say little and make
  the products dense). Groups are stars around a leader, not chains: in order of frequency, a text not
  yet grouped leads a new group and takes every ungrouped text at or above ``threshold`` from it (single
  linkage would chain "A and B?" to "B and C?" into one group). Rarer texts join the group of their most
  similar frequent text when it is at or above the threshold, else form their own group. Similarities
  are computed in blocks of sparse products, so 150 k questions stay within seconds and memory.
- **Ranking** (``rank_questions``): by the number of questions, then by likes (sum; missing when the data
  has no likes), then by text. ``topic_bank_rows`` turns the top groups into rows of the topic_bank
  table (topic, pillar, format, source = "comments", strategic_weight, notes), which content planning reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from helpers.errors import ParameterError
from helpers.i18n import _
from helpers.schema import POST_FORMATS

__all__ = ["QuestionGroups", "group_questions", "is_question", "rank_questions", "topic_bank_rows"]

_MARK = r"[?？]"
_MA = "吗"
_NE_END = r"呢($|[\s,，。.!！~～…]|[^\p{Han}\p{L}\p{N}])"
_EXCLAMATIVE = (r"怎么(这么|那么|这样好|会这么)|为什么(这么|那么)|为啥(这么|那么)|什么都|没什么|没啥|什么的|"
                r"不知道(说|该说)?什么|多少(有点|有些|还是|会有)|几乎")
_ZH_WORDS = (r"怎么|怎样|如何|为什么|为何|为啥|什么|啥|哪|多少|多久|多大|几天|几号|几岁|能不能|可不可以|可以不|"
             r"是不是|有没有|会不会|要不要|用不用|是否|能否|可否|求链接|求推荐|咋")
_EN_START = (r"(?i)(^|[.!?。！？\n]\s*)(how|what|what's|where|when|which|who|why|can|could|do|does|did|is|are|"
             r"will|would|should)\b")
_NORMAL_DROP = r"请问|想问一下|想问|问一下|问下|[吗呢啊呀哦哈嘛]|[^\p{Han}\p{L}\p{N}]"


def _text(values: pd.Series) -> pa.Array:
    """Arrow text of a Series; non-text values as text, missing as null."""
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):
        return pa.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else
                         str(v).encode("utf-8", "ignore").decode("utf-8") for v in values], type=pa.string())


def _has(arr: pa.Array, pattern: str) -> np.ndarray:
    """Rows matching a regex (missing → False)."""
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)


def is_question(texts: pd.Series) -> pd.Series:
    """Whether each comment asks something (rules in the module docstring); missing text → False."""
    arr = pc.utf8_normalize(_text(texts), form="NFKC")
    plain = pc.replace_substring_regex(arr, _EXCLAMATIVE, " ")
    english = _has(arr, _EN_START) & ~_has(arr, "!")
    found = _has(arr, _MARK) | _has(arr, _MA) | _has(arr, _NE_END) | _has(plain, _ZH_WORDS) | english
    return pd.Series(found, index=texts.index, name="is_question")


def _normalise(arr: pa.Array) -> pa.Array:
    """Text for grouping: NFKC, lower case, particles and politeness out, letters and digits only."""
    arr = pc.utf8_lower(pc.utf8_normalize(pc.fill_null(arr, ""), form="NFKC"))
    return pc.replace_substring_regex(arr, _NORMAL_DROP, "")


@dataclass(frozen=True)
class QuestionGroups:
    """Per question (input order): text, likes, group (1 = most frequent group)."""

    table: pd.DataFrame
    has_likes: bool

    @property
    def labels(self) -> pd.Series:
        """The group of each question."""
        return self.table["group"]


def _links(matrix: sparse.csr_matrix, threshold: float, block: int = 2_000) -> sparse.csr_matrix:
    """Pairs of rows with cosine ≥ threshold (rows are L2-normalised), computed in blocks."""
    parts = []
    for start in range(0, matrix.shape[0], block):
        sim = (matrix[start:start + block] @ matrix.T).tocsr()
        sim.data = (sim.data >= threshold).astype(np.int8)
        sim.eliminate_zeros()
        parts.append(sim)
    return sparse.vstack(parts).tocsr() if parts else sparse.csr_matrix((0, 0))


def _stars(links: sparse.csr_matrix) -> tuple[int, np.ndarray]:
    """Greedy star cover in row order (rows sorted by frequency): each ungrouped row leads its ungrouped links."""
    group = np.full(links.shape[0], -1, dtype=np.int64)
    n_groups = 0
    for i in range(links.shape[0]):
        if group[i] >= 0:
            continue
        members = links.indices[links.indptr[i]:links.indptr[i + 1]]
        free = members[group[members] < 0]
        group[free] = n_groups
        group[i] = n_groups
        n_groups += 1
    return n_groups, group


def _nearest(tail: sparse.csr_matrix, head: sparse.csr_matrix, block: int = 2_000) -> tuple[np.ndarray, np.ndarray]:
    """For each tail row, the most similar head row and the similarity."""
    best = np.zeros(tail.shape[0], dtype=np.int64)
    score = np.zeros(tail.shape[0])
    for start in range(0, tail.shape[0], block):
        sim = (tail[start:start + block] @ head.T).tocsr()
        best[start:start + block] = np.asarray(sim.argmax(axis=1)).ravel()
        score[start:start + block] = sim.max(axis=1).toarray().ravel()
    return best, score


def group_questions(texts: pd.Series, likes: pd.Series | None = None, *, threshold: float = 0.5,
                    max_unique: int = 5_000) -> QuestionGroups:
    """Group near-duplicate questions (texts: text_masked of the questions; likes: same index, optional)."""
    if not 0 < threshold <= 1 or max_unique < 1:
        raise ParameterError(f"group_questions needs 0 < threshold ≤ 1 and max_unique ≥ 1, got {threshold}, "
                             f"{max_unique}.")
    norm = pd.Series(_normalise(_text(texts)).to_numpy(zero_copy_only=False), index=texts.index)
    norm = norm.where(norm != "", texts.astype("str").fillna(""))   # only particles: group by the text itself
    counts = norm.value_counts(sort=False)
    order = np.lexsort((counts.index.to_numpy().astype(str), -counts.to_numpy()))
    unique = counts.index.to_numpy()[order].astype(str)
    group_of = np.zeros(len(unique), dtype=np.int64)
    if len(unique):
        head = unique[:max_unique]
        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True,
                                     max_df=0.1 if len(head) >= 1_000 else 1.0)
        matrix = vectorizer.fit_transform(head).tocsr()
        n_groups, group_of[:len(head)] = _stars(_links(matrix, threshold))
        if len(unique) > max_unique:
            best, score = _nearest(vectorizer.transform(unique[max_unique:]).tocsr(), matrix)
            alone = score < threshold
            tail_group = group_of[:len(head)][best]
            tail_group[alone] = n_groups + np.arange(int(alone.sum()))
            group_of[len(head):] = tail_group
    raw_group = pd.Series(group_of, index=unique)
    table = pd.DataFrame({"text": texts.astype("str"), "group": norm.map(raw_group).to_numpy()}, index=texts.index)
    has_likes = likes is not None
    table["likes"] = pd.to_numeric(likes, errors="coerce").to_numpy() if likes is not None else np.nan
    size = table.groupby("group")["text"].transform("size")
    like_sum = table.groupby("group")["likes"].transform("sum")
    first = table.groupby("group")["text"].transform("min")
    ranking = (pd.DataFrame({"g": table["group"], "size": size, "likes": like_sum, "first": first})
               .drop_duplicates("g").sort_values(["size", "likes", "first"], ascending=[False, False, True]))
    relabel = pd.Series(np.arange(1, len(ranking) + 1), index=ranking["g"].to_numpy())
    table["group"] = table["group"].map(relabel).astype("int64")
    return QuestionGroups(table, has_likes)


def rank_questions(groups: QuestionGroups, examples: int = 3) -> pd.DataFrame:
    """Groups ranked: group, question (its most frequent text), questions, variants, likes, share, examples."""
    table = groups.table
    per_text = table.groupby(["group", "text"]).size().rename("n").reset_index()
    per_text["len"] = per_text["text"].str.len()
    per_text = per_text.sort_values(["group", "n", "len", "text"], ascending=[True, False, True, True])
    lead = per_text.drop_duplicates("group").set_index("group")["text"]
    shown = per_text.groupby("group")["text"].apply(lambda s: list(s.head(examples)))
    out = pd.DataFrame({
        "question": lead,
        "questions": table.groupby("group").size(),
        "variants": per_text.groupby("group").size(),
        "likes": table.groupby("group")["likes"].sum(min_count=1) if groups.has_likes else np.nan,
        "examples": shown,
    })
    out["share"] = out["questions"] / len(table) if len(table) else np.nan
    out = out.reset_index().rename(columns={"index": "group"})
    return out[["group", "question", "questions", "variants", "likes", "share", "examples"]]


def topic_bank_rows(ranked: pd.DataFrame, *, pillar: str, format: str, strategic_weight: float = 1.0,
                    top_n: int = 10, min_questions: int = 3) -> pd.DataFrame:
    """The top question groups as topic_bank rows (topic, pillar, format, source, strategic_weight, notes)."""
    if format not in POST_FORMATS:
        raise ParameterError(f"The topic format {format!r} is not a post format; use one of {', '.join(POST_FORMATS)}.")
    if not str(pillar).strip():
        raise ParameterError("The pillar for question topics is empty; name a content pillar (e.g. 产品种草).")
    if not np.isfinite(strategic_weight) or strategic_weight < 0:
        raise ParameterError(f"strategic_weight must be a number ≥ 0, got {strategic_weight!r}.")
    top = ranked[ranked["questions"] >= min_questions].head(top_n)

    def note(row: pd.Series) -> str:
        if pd.isna(row["likes"]):
            return _("{n} comments asked this ({variants} wordings)").format(n=int(row["questions"]),
                                                                             variants=int(row["variants"]))
        return _("{n} comments asked this ({variants} wordings, {likes} likes)").format(
            n=int(row["questions"]), variants=int(row["variants"]), likes=int(row["likes"]))

    return pd.DataFrame({"topic": top["question"].astype("str").to_numpy(), "pillar": pillar, "format": format,
                         "source": "comments", "strategic_weight": float(strategic_weight),
                         "notes": [note(r) for _i, r in top.iterrows()]},
                        columns=["topic", "pillar", "format", "source", "strategic_weight", "notes"])
