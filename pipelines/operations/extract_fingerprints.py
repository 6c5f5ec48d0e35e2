"""Fingerprints of the extract folders in the landing zone, for the new-extract sensor.

A folder data/raw/<source>/<extract>/ is identified by its checksum: sha256 over its path in the
landing zone and, for every file in it, the file's name, size and sha256. The same delivery
always gets the same checksum (so the sensor never runs it twice); a corrected delivery, a file
added or removed, or the same files under another extract date get a new one.

Hashing every file on every tick would read the whole landing zone each minute, so a cheap
signature (names, sizes and modification times) decides whether a folder needs hashing again.

Folders whose name starts with `.` or `_` are deliveries in progress (see
pipelines/ingest/extracts.py) and are not looked at; neither is a folder with a file modified in
the last `settle_seconds`, which is probably still being copied into place.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

# A file written this recently may still be being copied; try again on a later tick.
DEFAULT_SETTLE_SECONDS = 120
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ExtractFolder:
    source: str
    extract_id: str
    path: Path

    @property
    def name(self) -> str:
        """The folder's place in the landing zone, e.g. `mosaic/2023-05-15`."""
        return f"{self.source}/{self.extract_id}"


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "_"))


def extract_folders(raw_dir: Path) -> list[ExtractFolder]:
    """Every delivered extract folder, in name order; deliveries in progress are left out."""
    if not raw_dir.is_dir():
        return []
    found = []
    for source in sorted(p for p in raw_dir.iterdir() if p.is_dir() and not _hidden(p)):
        for extract in sorted(p for p in source.iterdir() if p.is_dir() and not _hidden(p)):
            found.append(ExtractFolder(source=source.name, extract_id=extract.name, path=extract))
    return found


def _files(folder: Path) -> list[Path]:
    # Dot files are operating-system clutter (.DS_Store) or editors' temporary files, not data.
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def folder_signature(folder: ExtractFolder) -> tuple[str, float]:
    """A cheap signature (names, sizes, modification times) and the newest modification time."""
    digest = hashlib.sha256(folder.name.encode())
    newest = 0.0
    for path in _files(folder.path):
        stat = path.stat()
        newest = max(newest, stat.st_mtime)
        digest.update(f"{path.relative_to(folder.path).as_posix()}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest(), newest


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def folder_checksum(folder: ExtractFolder) -> str:
    """sha256 over `<source>/<extract>` and one line `name<TAB>size<TAB>sha256` per file, sorted."""
    lines = [folder.name]
    for path in _files(folder.path):
        lines.append(f"{path.relative_to(folder.path).as_posix()}\t{path.stat().st_size}\t{file_sha256(path)}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass(frozen=True)
class FolderState:
    """What the sensor remembers of a folder between ticks (kept in its cursor)."""

    signature: str
    checksum: str


def scan(raw_dir: Path, known: dict[str, FolderState], settle_seconds: float = DEFAULT_SETTLE_SECONDS, now: float | None = None) -> tuple[dict[str, FolderState], list[str]]:
    """The state of every settled folder, re-hashing only those whose signature changed, and the
    names of folders left for a later tick because they were written too recently."""
    now = time.time() if now is None else now
    states: dict[str, FolderState] = {}
    unsettled = []
    for folder in extract_folders(raw_dir):
        signature, newest = folder_signature(folder)
        if newest > now - settle_seconds:
            unsettled.append(folder.name)
            continue
        previous = known.get(folder.name)
        if previous is not None and previous.signature == signature:
            states[folder.name] = previous
        else:
            states[folder.name] = FolderState(signature=signature, checksum=folder_checksum(folder))
    return states, unsettled

