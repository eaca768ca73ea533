"""Which export a Grid is (detection) and its rows as a canonical table (mapping).

Detection: each of the first 15 rows is tried as the header row against each ExportKind. Headers
are compared normalised (`normalise_header`: NFKC, casefold, only letters, digits and "%"), so
"Impressions click-through rate (%)" and "impressionsclickthroughrate%" are the same. An output
column's source is the first header (left to right) among its aliases. A row matches a kind when
every `kind.required` column has a source and, if the kind has a `title_line` regex, a row above
the header matches it. The score is the share of the kind's columns found; the best match wins
(ties: the earlier header row, then the kind with more required columns, then the one explaining
more of the file's columns); two different kinds tied on all of that are ambiguous and the user
must pass --kind. Messages for files that match
nothing name the closest kind and the headers it still needs.

Mapping: the rows below the header are data. Rows with every cell blank are ignored; a row with
more non-empty cells than the header has columns is refused (an unquoted delimiter); a row with
fewer fields is padded. A row whose date cell is a totals label (合计, 总计, Total …: TOTAL_LABELS)
is the sum of the others, not a day: it is dropped and reported in Mapped.skipped. The last row
alone may be a note below the table, or cut short by a
truncated download (see `_data_rows` and `_is_footer`); a text file without a final line break is
imported with a note asking to check its last row, since a cut inside the last cell cannot be told
from a complete value (exports written by JavaScript often lack the final line break). Each output
column is parsed by `values.parse_values` with the kind's ValueKind; any cell that has text but
no value of that kind stops the import with the file lines and examples — a value is never
guessed, and a missing value never becomes zero. Then `account_id`, the kind's
constants and `_line` (the file line of each row) are added, `kind.finish` runs, and the rows it
skipped (frame.attrs["skipped"]) are reported in Mapped.skipped; header columns the kind does
not use are named in Mapped.notes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from helpers.ingest.types import (
    KINDS,
    ExportKind,
    Grid,
    ImportContext,
    ImportFileError,
    Mapped,
    UnknownExportError,
    ValueKind,
)
from helpers.ingest.values import YearlessDatesError, parse_values

__all__ = ["HEADER_ROWS", "Detection", "detect", "map_grid", "normalise_header"]

#: How many rows from the top of a grid may be the header row (title lines and notes come first).
HEADER_ROWS = 15

#: What a value of each kind looks like, for messages about cells that are not one.
EXPECTED: dict[str, str] = {
    "text": "text",
    "count": "a whole number such as 12,400 or 1.2万",
    "number": "a number such as -12.5, 3,400 or 1.2万",
    "rate": "a share such as 5.2% or 0.052",
    "percent": "a percentage such as 5.2 or 5.2%",
    "duration": "a duration such as 00:01:23, 83 (seconds) or 1分23秒",
    "hours": "a number of hours such as 12.5",
    "datetime": "a date and time such as 2025-11-01 20:15",
    "date": "a date such as 2025-11-01",
}
_MAX_LINES = 5
_DOT_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+")
_MAX_EXAMPLES = 3
_MAX_SHOWN_HEADERS = 15


def normalise_header(text: str) -> str:
    """A header reduced to casefolded letters, digits (CJK included) and "%", for alias matching."""
    cleaned = unicodedata.normalize("NFKC", str(text)).casefold().replace("\ufeff", "").strip().strip("\"'")
    return "".join(ch for ch in cleaned if ch.isalnum() or ch == "%")


@dataclass(frozen=True)
class Detection:
    """A grid recognised as `kind`, with its header at rows[header_index] and each output's source column."""

    kind: ExportKind
    header_index: int
    sources: dict[str, int]
    score: float
    header_line: int | None = field(default=None, compare=False)  # file line of the header, for messages

    def __repr__(self) -> str:
        line = self.header_line if self.header_line is not None else self.header_index + 1
        return f"Detection({self.kind.name} at line {line}, {len(self.sources)}/{len(self.kind.columns)} columns)"


@dataclass(frozen=True)
class _Candidate:
    """One (header row, kind) pairing and what of the kind it has."""

    kind: ExportKind
    index: int
    sources: dict[str, int]
    title_ok: bool

    @property
    def missing(self) -> list[str]:
        """Required output columns without a source in this row."""
        return [col for col in self.kind.required if col not in self.sources]

    @property
    def matches(self) -> bool:
        """All required columns found (and the title line, if the kind needs one)."""
        return bool(self.sources) and not self.missing and self.title_ok

    @property
    def score(self) -> float:
        """Share of the kind's output columns that have a source."""
        return len(self.sources) / len(self.kind.columns) if self.kind.columns else 0.0

    @property
    def rank(self) -> tuple[float, int, int, int]:
        """Higher is better: score, the earlier header row, more required columns, more columns found."""
        return self.score, -self.index, len(self.kind.required), len(self.sources)

    @property
    def closeness(self) -> tuple[float, int, int]:
        """How near a non-match came: share of required columns found, columns found, earlier row."""
        required = len(self.kind.required) or 1
        found = (len(self.kind.required) - len(self.missing)) / required
        return found + (0.5 if self.title_ok else 0.0), len(self.sources), -self.index


def _aliases(kind: ExportKind) -> dict[str, frozenset[str]]:
    """Each output column's source header names, normalised."""
    return {col: frozenset(normalise_header(a) for a in names) - {""} for col, names in kind.columns.items()}


def _match_row(headers: Sequence[str], aliases: Mapping[str, frozenset[str]]) -> dict[str, int]:
    """Output column → index of the first header among its aliases."""
    sources: dict[str, int] = {}
    for col, names in aliases.items():
        for index, header in enumerate(headers):
            if header and header in names:
                sources[col] = index
                break
    return sources


def _joined(row: Sequence[str]) -> str:
    """A row's non-empty cells joined by spaces (what a title_line regex is matched against)."""
    return " ".join(cell.strip() for cell in row if cell.strip())


def _candidates(grid: Grid, kinds: Sequence[ExportKind]) -> list[_Candidate]:
    """Every (header row among the first 15, kind) pairing with what it has."""
    rows = grid.rows[:HEADER_ROWS]
    normalised = [[normalise_header(cell) for cell in row] for row in rows]
    joined = [_joined(row) for row in rows]
    out: list[_Candidate] = []
    for kind in kinds:
        aliases = _aliases(kind)
        title = re.compile(kind.title_line, re.IGNORECASE) if kind.title_line else None
        for index, headers in enumerate(normalised):
            title_ok = title is None or any(title.search(text) for text in joined[:index])
            out.append(_Candidate(kind, index, _match_row(headers, aliases), title_ok))
    return out


def _quoted(names: Iterable[str]) -> str:
    """Names as '"a", "b"'."""
    return ", ".join(f'"{name}"' for name in names)


def _needs(candidate: _Candidate) -> str:
    """The source headers (first alias, with alternatives) and title line a candidate lacks."""
    parts = []
    for col in candidate.missing:
        names = [name for name in candidate.kind.columns[col] if name]
        text = f'"{names[0]}"' if names else col
        if len(names) > 1:
            text += f" (or {_quoted(names[1:4])}{', ...' if len(names) > 4 else ''})"
        parts.append(text)
    if not candidate.title_ok:
        parts.append(f"a title line above the header matching /{candidate.kind.title_line}/")
    return ", ".join(parts)


def _cells(row: Sequence[str]) -> str:
    """A row's non-empty cells for a message, at most 15."""
    cells = [cell.strip() for cell in row if cell.strip()]
    shown = _quoted(cells[:_MAX_SHOWN_HEADERS])
    return shown + (f", ... ({len(cells)} in all)" if len(cells) > _MAX_SHOWN_HEADERS else "") or "(none)"


def _line(grid: Grid, index: int) -> int:
    """The file line of rows[index]."""
    return grid.line_numbers[index] if index < len(grid.line_numbers) else index + 1


#: Header words of TikTok Studio and Meta Business Suite exports in languages the kinds do not read:
#: a header row with at least two of one language's words (and more than of any other) is in it.
FOREIGN_HEADER_WORDS: dict[str, frozenset[str]] = {
    language: frozenset(normalise_header(word) for word in words) for language, words in {
        "Spanish": ("Fecha", "Visualizaciones", "Visualizaciones de video", "Visualizaciones del perfil",
                    "Me gusta", "Comentarios", "Compartidos", "Veces compartido", "Seguidores",
                    "Alcance", "Espectadores", "Interacciones", "Publicación", "Título del video",
                    "Enlace del video", "Hora de publicación", "Guardados"),
        "Portuguese": ("Data", "Visualizações", "Visualizações do vídeo", "Visualizações do perfil", "Curtidas",
                       "Comentários", "Compartilhamentos", "Seguidores", "Alcance", "Espectadores",
                       "Interações", "Publicação", "Título do vídeo", "Link do vídeo", "Horário da publicação",
                       "Salvamentos"),
        "Japanese": ("日付", "動画視聴数", "視聴数", "プロフィール表示回数", "いいね", "コメント", "シェア",
                     "フォロワー", "リーチ", "インプレッション", "投稿日時", "動画タイトル", "動画リンク", "保存"),
        "French": ("Vues", "Vues de la vidéo", "Vues du profil", "J'aime", "Commentaires", "Partages",
                   "Abonnés", "Couverture", "Spectateurs"),
        "German": ("Datum", "Aufrufe", "Videoaufrufe", "Profilaufrufe", "Gefällt mir", "Kommentare",
                   "Geteilt", "Reichweite", "Zuschauer", "Interaktionen"),
    }.items()
}


def header_language(rows: Sequence[Sequence[str]]) -> tuple[str, list[str]] | None:
    """The language of the first rows' headers when it is one the kinds do not read, and the words that tell it.

    >>> header_language([["Fecha", "Visualizaciones de video", "Me gusta"]])
    ('Spanish', ['Fecha', 'Visualizaciones de video', 'Me gusta'])
    """
    best: tuple[int, str, list[str]] = (0, "", [])
    for row in rows[:HEADER_ROWS]:
        found = {language: [cell.strip() for cell in row if normalise_header(cell) in words]
                 for language, words in FOREIGN_HEADER_WORDS.items()}
        ranked = sorted(found.items(), key=lambda item: len(item[1]), reverse=True)
        (language, words), second = ranked[0], len(ranked[1][1])
        if len(words) >= 2 and len(words) > second and len(words) > best[0]:
            best = (len(words), language, words)
    return (best[1], best[2]) if best[0] else None


def _no_match(grid: Grid, candidates: list[_Candidate], forced: ExportKind | None) -> UnknownExportError:
    """The error for a grid no kind matches: its first row, the closest kind and what it still needs."""
    first = f"Its first row has columns: {_cells(grid.rows[0]) if grid.rows else '(none)'}."
    language = header_language(grid.rows)
    if language is not None:
        name, words = language
        return UnknownExportError(
            f"{grid.where}: headers in {name} are not supported yet ({_quoted(words[:4])} …): export in English "
            f"or Chinese (switch the platform's language before downloading), then import that file. {first}"
        )
    if not candidates:
        return UnknownExportError(f"{grid.where}: not a known export (no export kinds are known). {first}")
    closest = max(candidates, key=lambda c: c.closeness)
    near = ""
    if closest.index > 0:
        near = f" The closest header row is line {_line(grid, closest.index)}: {_cells(grid.rows[closest.index])}."
    kind = closest.kind
    if forced is not None:
        return UnknownExportError(
            f"{grid.where}: does not look like {kind.title} ({kind.name}): no row among the first {HEADER_ROWS} "
            f"has its required columns; it still needs: {_needs(closest)}. {first}{near} Check that this is the "
            f"right file, or drop --kind to let the importer recognise it."
        )
    return UnknownExportError(
        f"{grid.where}: not a known export. {first}{near} The closest known export is {kind.title} ({kind.name}), "
        f"which also needs: {_needs(closest)}. Use --kind NAME to force one, or a column mapping "
        f"(--mapping FILE.yaml) for other exports."
    )


def detect(grid: Grid, kinds: Iterable[ExportKind] | None = None, forced: str | None = None) -> Detection:
    """Recognise which export a grid is and where its header row is (see the module docstring)."""
    pool = list(KINDS.values() if kinds is None else kinds)
    forced_kind: ExportKind | None = None
    if forced is not None:
        by_name = {kind.name: kind for kind in pool}
        if forced not in by_name:
            raise ImportFileError(
                f"{grid.where}: unknown export kind {forced!r} (--kind). Known kinds: "
                f"{', '.join(sorted(by_name)) or '(none)'}."
            )
        forced_kind = by_name[forced]
        pool = [forced_kind]
    candidates = _candidates(grid, pool)
    matches = sorted((c for c in candidates if c.matches), key=lambda c: c.rank, reverse=True)
    if not matches:
        raise _no_match(grid, candidates, forced_kind)
    best = matches[0]
    rivals = [c for c in matches[1:] if c.rank == best.rank and c.kind.name != best.kind.name]
    if rivals:
        names = [best.kind, *(c.kind for c in rivals)]
        listed = " and ".join(f"{k.title} ({k.name})" for k in names)
        raise ImportFileError(
            f"{grid.where}: matches {listed} equally well (header at line {_line(grid, best.index)}). "
            f"Pass --kind NAME to say which it is, e.g. --kind {best.kind.name}."
        )
    return Detection(kind=best.kind, header_index=best.index, sources=dict(best.sources), score=best.score,
                     header_line=_line(grid, best.index))


# --- mapping -----------------------------------------------------------------------------------

def _trimmed_length(row: Sequence[str]) -> int:
    """The number of cells up to the last non-blank one."""
    length = len(row)
    while length and not row[length - 1].strip():
        length -= 1
    return length


@dataclass(frozen=True)
class _Body:
    """The data rows of a grid, padded to the header's width, and what was learnt about its last rows."""

    rows: list[tuple[str, ...]]
    lines: list[int]
    filled: list[int]                     # non-blank cells of each row, up to its last one
    notes: list[tuple[int, str]]          # (line, note) of rows skipped as notes below the table
    footer_candidates: int                # the last rows that are short: notes if their cells are not data
    unterminated: bool                    # a text file without a final line break (its last row may be cut)


def _data_rows(grid: Grid, detection: Detection) -> _Body:
    """The data rows below the header, padded to the header's width, with their file lines.

    Only the run of SHORT rows (fewer cells than the header) at the end may be notes below the table
    ("注：数据统计截止至昨日", "Data reflects activity up to Jan 10, 2026.", "Exported from …"):

    * a row of one filled cell is a note, skipped, except the last row of a text file without a final
      line break (it may be a row cut short);
    * the other short rows at the end are padded, and `_trailing_notes` decides, from the last one up,
      whether each is a note, data, or (the last row of a text file without a final line break) a
      truncated download. Short rows elsewhere are data, padded.
    """
    header_index = detection.header_index
    width = _trimmed_length(grid.rows[header_index])
    header_line = _line(grid, header_index)
    start = header_index + 1
    lines_below = [_line(grid, i) for i in range(start, len(grid.rows))]
    # each row's filled length once (most rows end with a filled cell: their length, no scan)
    body = [(row, line, len(row) if row and row[-1].strip() else _trimmed_length(row))
            for row, line in zip(grid.rows[start:], lines_below, strict=True)]
    body = [entry for entry in body if entry[2]]
    text_file = grid.delimiter is not None
    unterminated = text_file and not grid.ends_with_newline
    for row, line, filled in body:
        if filled > width:
            extra = "an unquoted delimiter in a value" if text_file else "values beyond the last header"
            raise ImportFileError(
                f"{grid.where}: line {line} has {filled} fields but the header (line {header_line}) has {width} "
                f"columns ({extra}?): {_cells(row[:width + 3])}. Fix that line, or download the export again."
            )
    run = 0
    while width > 1 and run < len(body) and len(body[len(body) - 1 - run][0]) < width:
        run += 1
    first_short = len(body) - run
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    filled_cells: list[int] = []
    notes: list[tuple[int, str]] = []
    candidates = 0
    for position, (row, line, filled) in enumerate(body):
        short_at_end = position >= first_short
        cut_last = unterminated and position == len(body) - 1
        if short_at_end and filled == 1 and not cut_last:
            notes.append((line, _note(grid, line, row)))
            continue
        candidates = candidates + 1 if short_at_end else 0
        rows.append(tuple(row) if len(row) == width else tuple(row[:width]) + ("",) * (width - min(len(row), width)))
        lines.append(line)
        filled_cells.append(filled)
    return _Body(rows, lines, filled_cells, notes, candidates, unterminated)


#: Labels of a totals row in a date column (compared normalised): the sum of the other rows, not a day.
TOTAL_LABELS: frozenset[str] = frozenset(normalise_header(label) for label in (
    "合计", "总计", "汇总", "小计", "合計", "總計", "总和", "Total", "Totals", "Grand total", "Sum", "Summary",
    "Gesamt", "Totale", "Totaal", "合計値",
))


#: A cell of ASCII digits and date punctuation: it normalises to digits only, which no totals label is.
_PLAIN_DATE_CHARS = "0123456789 :/.T-"
assert not any(label.isdigit() for label in TOTAL_LABELS)


def _is_total_label(cell: object) -> bool:
    """Whether a date cell is a totals label (`normalise_header(cell) in TOTAL_LABELS`; plain dates skip it)."""
    if isinstance(cell, str) and not cell.strip(_PLAIN_DATE_CHARS):   # all its characters are date ones
        return False
    return normalise_header(cell) in TOTAL_LABELS   # type: ignore[arg-type]


def _without_total_rows(body: _Body, detection: Detection, grid: Grid) -> tuple[_Body, list[tuple[int, str]]]:
    """The body without rows whose date cell is a totals label (合计, Total …), and a note for each dropped."""
    dated = [source for column, source in detection.sources.items()
             if detection.kind.parse.get(column) in ("date", "datetime")]
    if not dated:
        return body, []
    cells = {row[source] for source in dated for row in body.rows}
    totals = {cell for cell in cells if _is_total_label(cell)}   # each distinct date cell checked once
    if not totals:
        return body, []
    drop = [any(row[source] in totals for source in dated) for row in body.rows]
    notes = [(line, f"{grid.where} line {line}: a totals row ({_joined(row)[:40]!r}), not a day or a post — "
                    f"row skipped") for row, line, gone in zip(body.rows, body.lines, drop, strict=True) if gone]
    keep = [i for i, gone in enumerate(drop) if not gone]
    tail = set(range(len(body.rows) - body.footer_candidates, len(body.rows)))
    return _Body([body.rows[i] for i in keep], [body.lines[i] for i in keep], [body.filled[i] for i in keep],
                 body.notes, sum(1 for i in keep if i in tail), body.unterminated), notes


def _note(grid: Grid, line: int, row: Sequence[str]) -> str:
    """The report line for a note below the table."""
    text = _joined(row)
    shown = text if len(text) <= 60 else text[:59] + "…"
    return f"{grid.where} line {line}: a note below the table ({shown!r}), not data"


def _bad_message(header: str, column: str, value_kind: ValueKind, texts: pd.Series, bad: pd.Series,
                 lines: Sequence[int]) -> str:
    """One column's unreadable cells: header, output column, up to 5 lines, up to 3 examples."""
    positions = [i for i, flag in enumerate(bad.to_numpy()) if flag]
    shown = ", ".join(str(lines[i]) for i in positions[:_MAX_LINES])
    more = f" and {len(positions) - _MAX_LINES} more" if len(positions) > _MAX_LINES else ""
    examples = list(dict.fromkeys(str(texts.iloc[i]).strip() for i in positions))[:_MAX_EXAMPLES]
    plural = "s" if len(positions) > 1 else ""
    hint = ""
    if value_kind == "count" and any(_DOT_THOUSANDS.fullmatch(e) for e in examples):
        hint = (" — a dot as the thousands separator (12.345 for 12345): export again with English number "
                "formats, or write the numbers without separators")
    return (f'column "{header.strip()}" (→ {column}) has {len(positions)} value{plural} that '
            f"{'are' if plural else 'is'} not {EXPECTED.get(value_kind, value_kind)}: "
            f"line{plural} {shown}{more} (e.g. {_quoted(examples)}){hint}")


def _dropped_columns(header: Sequence[str], detection: Detection) -> str | None:
    """A note naming the header cells the kind has no place for (None when every column is used)."""
    used = set(detection.sources.values())
    unused = [cell.strip() for index, cell in enumerate(header) if cell.strip() and index not in used]
    if not unused:
        return None
    return (f"{len(unused)} column{'s' if len(unused) > 1 else ''} not imported (the store has no place for "
            f"{'them' if len(unused) > 1 else 'it'}): {_quoted(unused[:_MAX_SHOWN_HEADERS])}"
            f"{', ...' if len(unused) > _MAX_SHOWN_HEADERS else ''}")


def _trailing_notes(body: _Body, parsed: Mapping[str, tuple[str, pd.Series, pd.Series]],
                    sources: Mapping[str, int], grid: Grid) -> int:
    """How many of the last rows are notes below the table rather than data (see `_data_rows`).

    From the last row up, among the short rows at the end, a row is a note when one of its cells is
    not a value of its column, or when it fills fewer than half the header's columns (exports write
    every field of a data row; "导出时间,2025-11-01" below 12 columns is a note). The last row of a
    text file without a final line break may instead be a row cut short: it is a truncated download
    (ImportFileError) when the cells that fail, its last one among them, are digits and punctuation
    only ("2025-11-0", a cut value), when its one cell is a valid non-text value, or when it fills
    half the columns or more.
    """
    count = 0
    last = len(body.rows) - 1
    for i in range(last, last - body.footer_candidates, -1):
        row = body.rows[i]
        failing = [row[sources[col]] for col, (_, _, bad) in parsed.items() if bool(bad.iloc[i])]
        few = body.filled[i] * 2 < len(row)
        if i == last and body.unterminated:
            cells = [j for j, cell in enumerate(row) if cell.strip()]
            typed = [col for col, source in sources.items() if source in cells and parsed[col][0] != "text"]
            last_cell = row[cells[-1]] if cells else ""
            cut_value = bool(failing) and last_cell in failing and not any(ch.isalpha() for ch in "".join(failing))
            one_valid = body.filled[i] == 1 and typed and not failing
            if cut_value or one_valid or not (failing or few or body.filled[i] == 1):
                raise ImportFileError(
                    f"{grid.where}: line {body.lines[i]} has {body.filled[i]} of {len(row)} columns: the file "
                    f"looks truncated; download it again."
                )
        elif not (failing or few):
            break
        count += 1
    return count


def map_grid(grid: Grid, detection: Detection, context: ImportContext) -> Mapped:
    """The data rows of a detected grid as the kind's canonical table (see the module docstring)."""
    kind = detection.kind
    header = grid.rows[detection.header_index]
    body, total_notes = _without_total_rows(_data_rows(grid, detection), detection, grid)
    rows, lines, notes = body.rows, body.lines, list(body.notes) + total_notes
    parsed: dict[str, tuple[ValueKind, pd.Series, pd.Series]] = {}
    year_notes: list[str] = []
    columns = list(zip(*rows, strict=True)) if rows else []   # every body row has the header's width
    for column, source in detection.sources.items():
        texts = pd.Series(list(columns[source]) if rows else [], dtype=object)
        value_kind: ValueKind = kind.parse.get(column, "text")
        try:
            values, bad = parse_values(texts, value_kind, reference=context.reference, timezone=context.timezone)
        except YearlessDatesError as exc:
            raise ImportFileError(
                f'{grid.where}: column "{header[source].strip()}" has dates without a year and {exc}. Export '
                f"the dates with their year, or a shorter period sorted by date."
            ) from exc
        if values.attrs.get("yearless"):
            year_notes.append(_yearless_note(grid, header[source], values, context))
        parsed[column] = (value_kind, values, bad)
    del columns
    footers = _trailing_notes(body, parsed, detection.sources, grid)
    if footers:
        notes += [(line, _note(grid, line, row)) for row, line in zip(rows[-footers:], lines[-footers:], strict=True)]
        rows, lines = rows[:-footers], lines[:-footers]
        parsed = {col: (vk, values.iloc[:-footers], bad.iloc[:-footers]) for col, (vk, values, bad) in parsed.items()}
    frame = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    frame["account_id"] = pd.Series([context.account_id] * len(rows), dtype="string")
    problems: list[str] = []
    for column, (value_kind, values, bad) in parsed.items():
        if bad.any():
            texts = pd.Series([row[detection.sources[column]] for row in rows], dtype=object)
            problems.append(_bad_message(header[detection.sources[column]], column, value_kind, texts, bad, lines))
        frame[column] = values.to_numpy() if value_kind != "text" else values.array
    if problems:
        raise ImportFileError(
            f"{grid.where}: " + "; ".join(problems) + f". Fix these cells in the file (or empty them if the "
            f"value is unknown), or check that the file really is {_article(kind.title)} export ({kind.name})."
        )
    for name, value in kind.constants.items():  # text constants get the dtype parsed text columns have
        frame[name] = pd.Series([value] * len(frame), index=frame.index,
                                dtype="string" if isinstance(value, str) else None)
    frame["_line"] = pd.Series(lines, dtype="int64")
    if kind.finish is not None:
        frame = kind.finish(frame, context, grid)
    skipped = [note for _, note in sorted(notes)] + [str(message) for message in frame.attrs.get("skipped", [])]
    row_lines = tuple(int(n) for n in frame["_line"]) if "_line" in frame.columns else ()
    frame = frame.drop(columns="_line", errors="ignore").reset_index(drop=True)
    frame.attrs.pop("skipped", None)
    other_notes = [note for note in [_dropped_columns(header, detection)] if note] + year_notes
    if body.unterminated:
        other_notes.append(_unterminated_note(grid, body, footers, rows, lines))
    return Mapped(kind=kind.name, table=kind.table, rows=frame, header_line=_line(grid, detection.header_index),
                  skipped=skipped, source=grid.where, notes=other_notes, lines=row_lines)


#: With the reference taken from the file's modification time, dates without a year must end this close to it.
FILE_TIME_YEARLESS_DAYS = 62


def _yearless_note(grid: Grid, header: str, values: pd.Series, context: ImportContext) -> str:
    """The note saying which years a column's dates without a year were given (ImportFileError when unsafe).

    With the reference from the file's modification time (no --as-of), the dates must end within
    FILE_TIME_YEARLESS_DAYS of it: a copy, sync or checkout a year later would move every date a year.
    """
    first, last = values.min(), values.max()
    since = (pd.Timestamp(context.reference) - last.normalize()).days
    where = f'{grid.where}: column "{header.strip()}"'
    if context.reference_source == "file time" and since > FILE_TIME_YEARLESS_DAYS:
        raise ImportFileError(
            f"{where} has dates without a year, the last one {since} days before the file's modification time "
            f"({context.reference:%Y-%m-%d}); a copy, sync or checkout resets that time, so the years cannot be "
            f"trusted. Pass --as-of YYYY-MM-DD, the day the export was downloaded."
        )
    return (f"{where}: dates without a year read as {first:%Y-%m-%d} … {last:%Y-%m-%d} (the latest on or before "
            f"{context.reference:%Y-%m-%d}, the {context.reference_source}); pass --as-of with the download day "
            f"if that is wrong")


def _unterminated_note(grid: Grid, body: _Body, footers: int, rows: Sequence[tuple[str, ...]],
                       lines: Sequence[int]) -> str:
    """The note for a text file without a final line break: which last line to check."""
    start = f"{grid.where} does not end with a line break: if the download was cut short, "
    if footers and body.footer_candidates:
        return start + (f"line {body.lines[-1]}, taken as a note below the table, may be a cut data row; "
                        "download the export again to be sure")
    if rows:
        return start + (f"the last row (line {lines[-1]}: {_cells(rows[-1][:6])}) may hold a cut value; compare "
                        "it with the platform or download the export again")
    return start + "download the export again to be sure"


def _article(title: str) -> str:
    """'a' or 'an' before an export title, by its first letter."""
    return ("an " if title[:1].lower() in "aeiou" else "a ") + title
