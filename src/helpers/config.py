"""Where things live: every path the suite uses comes from here, never from the current directory."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the folder holding pyproject.toml); override with OPSBOOK_HOME.
ROOT: Path = Path(os.environ.get("OPSBOOK_HOME", Path(__file__).resolve().parents[2]))
NOTEBOOKS: Path = ROOT / "notebooks"
PARAMS: Path = ROOT / "params"
OUTPUTS: Path = Path(os.environ.get("OPSBOOK_OUTPUTS", ROOT / "outputs"))
SAMPLE_DATA: Path = ROOT / "data" / "sample"
#: The local store `opsbook import` writes to (helpers.ingest.store); override with OPSBOOK_STORE or --store.
STORE: Path = Path(os.environ.get("OPSBOOK_STORE", ROOT / "data" / "store"))
#: Cache of language resources (helpers.nlp): the vaderSentiment sdist `make setup` downloads, fitted sentiment
#: models; gitignored, rebuilt when absent. Override with OPSBOOK_NLP_CACHE.
NLP_CACHE: Path = Path(os.environ.get("OPSBOOK_NLP_CACHE", ROOT / "data" / "nlp"))

#: Name of the Jupyter kernel `make` registers and the runner executes notebooks with.
KERNEL_NAME: str = "opsbook"

#: Set to 1 in the kernels the runner starts: the explorers draw nothing there until a control changes.
HEADLESS_ENV: str = "OPSBOOK_HEADLESS"

#: Seed of the bundled sample data set.
SAMPLE_SEED: int = 20261031

#: Notebooks the runner knows, in the order `opsbook run-all` runs them.
NOTEBOOK_NAMES: tuple[str, ...] = (
    "period_review",
    "audience_profiling",
    "competitor_analysis",
    "content_planning",
    "experiment_evaluation",
    "voice_of_customer",
    "account_plan",
    "kol_evaluation",
)

#: The analysis package (helpers.<package>) each notebook uses; its session.check_parameters runs before the kernel.
NOTEBOOK_PACKAGES: dict[str, str] = {
    "period_review": "review",
    "audience_profiling": "audience",
    "competitor_analysis": "competitors",
    "content_planning": "planning",
    "experiment_evaluation": "experiments",
    "voice_of_customer": "voc",
    "account_plan": "account_plan",
    "kol_evaluation": "kol",
}


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve a data folder parameter: empty means the bundled sample data; a store means its current tables."""
    if path is None or str(path).strip() == "":
        return SAMPLE_DATA
    folder = Path(path).expanduser().resolve()
    current = folder / "CURRENT"
    if (folder / "STORE.json").is_file() and current.is_file():  # an `opsbook import` store: its current generation
        return folder / "generations" / current.read_text(encoding="utf-8").strip()
    return folder
