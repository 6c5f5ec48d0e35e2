"""Extract folders in the landing zone: data/raw/<source>/<extract_id>/<table>.csv.

An extract is one delivery of a source system's tables, named by its date (`2023-05-15`, or
`2023-05-15_rerun`). A `manifest.json` beside the files is optional for councils' own extracts
and always present in synthetic ones, where it says so (`"synthetic": true`).
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.contracts.model import TableContract
from pipelines.ingest.errors import IngestError

EXTRACT_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})([_-][A-Za-z0-9_-]+)?$")


@dataclass(frozen=True)
class Extract:
    source: str
    extract_id: str
    extract_date: date
    folder: Path
    manifest: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest.get("synthetic", False))

    def file_for(self, contract: TableContract) -> Path | None:
        """The delivered file for a table, matched case-insensitively on the contract's pattern."""
        matches = sorted(
            p for p in self.folder.iterdir() if p.is_file() and fnmatch.fnmatch(p.name.lower(), contract.file_pattern.lower())
        )
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches)
            raise IngestError(
                self.folder,
                f"{len(matches)} files match the pattern {contract.file_pattern!r} for table {contract.table}: {names}.",
                "Deliver one file per table per extract, or remove the stray copies.",
            )
        return matches[0] if matches else None


def read_extract(folder: Path, source: str) -> Extract:
    manifest: dict = {}
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise IngestError(manifest_path, f"The manifest is not valid JSON ({exc.msg} at line {exc.lineno}).", "Fix or remove manifest.json.") from exc
    match = EXTRACT_ID.match(folder.name)
    when = manifest.get("extract_date") or (match.group(1) if match else None)
    if not when:
        raise IngestError(
            folder,
            "The extract folder is not named by date and has no manifest giving an extract_date.",
            "Name extract folders YYYY-MM-DD (the date the data was extracted), e.g. data/raw/mosaic/2023-05-15/.",
        )
    try:
        extract_date = date.fromisoformat(str(when))
    except ValueError as exc:
        raise IngestError(folder, f"Extract date {when!r} is not a date.", "Use YYYY-MM-DD.") from exc
    return Extract(source=source, extract_id=folder.name, extract_date=extract_date, folder=folder, manifest=manifest)


def list_extracts(raw_dir: Path, source: str) -> list[Extract]:
    """All extract folders of a source, oldest first. Folders starting with `.` or `_` are ignored
    (a delivery in progress can be written to `_incoming` and renamed when complete)."""
    base = raw_dir / source
    if not base.exists():
        return []
    folders = [p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))]
    extracts = [read_extract(p, source) for p in folders]
    return sorted(extracts, key=lambda e: (e.extract_date, e.extract_id))
