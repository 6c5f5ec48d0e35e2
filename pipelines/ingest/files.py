"""Looking at a delivered file before DuckDB reads it: checksum, encoding, delimiter, header row.

Councils' extracts come out of Mosaic reports, Excel "Save as CSV" and SQL Server exports. The
same table can arrive as UTF-8, UTF-8 with a byte-order mark, or Windows-1252, with blank or
title rows above the header, and with `,` `;` `|` or tab delimiters. Only the first block of the
file is inspected here; DuckDB reads the rest. A file whose body turns out not to be UTF-8 is
transcoded into the work folder (never in place: raw files are kept unchanged).
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.errors import IngestError

SNIFF_BYTES = 256 * 1024
MAX_HEADER_SEARCH_LINES = 50
DELIMITERS = (",", ";", "\t", "|")
# Linux has copy_file_range; elsewhere the copy is written from the blocks read.
_KERNEL_COPY = hasattr(os, "copy_file_range")


def sha256_of(path: Path, chunk: int = 4 * 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class ScanStopped(Exception):
    """The scan pass was told to stop before the end of the file."""


@dataclass(frozen=True)
class FileScan:
    """What one streaming pass over the whole file tells: its checksum and whether it is UTF-8.

    Sniffing only the first block is not enough: an extract whose first thousand rows are ASCII
    and whose row 40,000 holds "Zoë" in Windows-1252 would otherwise be read as UTF-8 and lose
    rows. The pass runs at disk speed (hashing and strict decoding are both C loops).
    """

    sha256: str
    bytes: int
    valid_utf8: bool
    first_bad_byte: int | None  # offset of the first byte that is not UTF-8


def scan_file(path: Path, chunk: int = 4 * 1024 * 1024, copy_to: Path | None = None, stop: threading.Event | None = None) -> FileScan:
    """Checksum and UTF-8 check in one pass; with `copy_to`, the same pass makes a byte-for-byte
    copy there (synced to disk), so that what is checksummed and what is archived are one set of
    bytes. Ingest runs it beside DuckDB's read of the same file and compares the file's stat data
    before and after both (load.py).

    The SHA-256 of each block runs on a second thread, and its copy on a third, while this one
    reads the next (hashlib and the copy let go of the GIL for large blocks): the pass takes
    about the longest of reading, hashing and copying rather than their sum (docs/benchmarks.md,
    items 22 and 33). Setting `stop` (the load it runs beside has failed) ends it at the next
    block, with ScanStopped.

    Each block is copied by the kernel from the file's pages (`_copy_block`) rather than written
    from the block read, for a third to a sixth of the system CPU. The bytes copied are then the
    bytes hashed as long as the file does not change while it is read, which the caller checks
    (ingest compares the stat data taken before and after, load.py); `sha256sum -c` on the
    archive would show it too.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    valid, bad_at, offset = True, None, 0
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256") as hasher,
        path.open("rb") as fh,
        (copy_to.open("wb", buffering=0) if copy_to else nullcontext()) as out,
        # Listed after `out`, so that on the way out (an error too) its last write ends first.
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy") as writer,
    ):
        # The block being hashed and the block being written, each one at a time and in order.
        hashing = writing = None
        while block := fh.read(chunk):
            if stop is not None and stop.is_set():
                raise ScanStopped(path)
            if hashing is not None:
                hashing.result()
            hashing = hasher.submit(digest.update, block)
            if out is not None:
                if writing is not None:
                    writing.result()
                writing = writer.submit(_copy_block, fh.fileno(), out.fileno(), offset, block)
            # The decoder holds the bytes of a character cut by the last block's end (`pending`).
            # With none, an ASCII block is valid UTF-8 as it stands: isascii() is a byte scan,
            # decoding builds a string (40% of the pass on a 3 GB extract; docs/benchmarks.md,
            # item 20). A decoding error's position counts from the pending bytes.
            pending = decoder.getstate()[0]
            if valid and not (block.isascii() and not pending):
                try:
                    decoder.decode(block, final=False)
                except UnicodeDecodeError as exc:
                    valid, bad_at = False, offset - len(pending) + exc.start
            offset += len(block)
        for pending_work in (hashing, writing):
            if pending_work is not None:
                pending_work.result()
        if out is not None:
            os.fsync(out.fileno())
    if valid:
        pending = decoder.getstate()[0]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid, bad_at = False, offset - len(pending)
    return FileScan(sha256=digest.hexdigest(), bytes=offset, valid_utf8=valid, first_bad_byte=bad_at)


def _copy_block(source_fd: int, copy_fd: int, offset: int, block: bytes) -> None:
    """Put the file's bytes at `offset` (`block`, as read) at the same place in the copy.

    os.copy_file_range copies within the kernel, from the page cache that the read has just
    filled. The pass over the 8 GB census at national volume, with the page cache dropped first,
    took 11.6 and 11.5 s and 5.5 and 4.8 s of system CPU so, against 24.1 and 17.2 s and 31.7
    and 17.7 s writing the blocks read (docs/benchmarks.md, item 35). Where the kernel or the file
    systems cannot (no such call; another file system, on some kernels), or the file has grown
    short since the read, the block read is written instead.
    """
    done = 0
    if _KERNEL_COPY:
        try:
            while done < len(block):
                copied = os.copy_file_range(source_fd, copy_fd, len(block) - done, offset + done, offset + done)
                if copied == 0:
                    break
                done += copied
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF):
                raise
    while done < len(block):
        done += os.pwrite(copy_fd, block[done:], offset + done)


def normalise_header(name: str) -> str:
    """`Person ID ` -> `person_id`; how delivered headers are matched to contract columns."""
    name = name.strip().strip('"').strip().lower()
    name = re.sub(r"[^0-9a-z]+", "_", name)
    return name.strip("_")


@dataclass(frozen=True)
class FilePlan:
    path: Path
    encoding: str  # "utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le" or "utf-16-be"
    delimiter: str
    header_line: int  # 1-based physical line of the header row
    header: tuple[str, ...]  # header cells as delivered

    @property
    def needs_transcoding(self) -> bool:
        return self.encoding in ("cp1252",) or self.encoding.startswith("utf-16")


def _utf16_without_bom(sample: bytes) -> str | None:
    """Excel's "Unicode text" and some SQL Server exports are UTF-16 without a byte-order mark:
    ASCII text then has a NUL in every other byte (odd bytes for little-endian)."""
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    odd_nuls = sample[1 : 2 * pairs : 2].count(0)
    even_nuls = sample[0 : 2 * pairs : 2].count(0)
    if odd_nuls > 0.6 * pairs and even_nuls < 0.1 * pairs:
        return "utf-16-le"
    if even_nuls > 0.6 * pairs and odd_nuls < 0.1 * pairs:
        return "utf-16-be"
    return None


def _decode_sample(sample: bytes, path: Path) -> tuple[str, str]:
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        return sample.decode("utf-16", errors="replace"), "utf-16"
    if (bomless := _utf16_without_bom(sample)) is not None:
        return sample[: len(sample) // 2 * 2].decode(bomless, errors="replace"), bomless
    if sample.startswith(codecs.BOM_UTF8):
        return sample[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        # A multi-byte character may be cut at the end of the sample; ignore only that.
        return codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=False), "utf-8"
    except UnicodeDecodeError:
        return sample.decode("cp1252", errors="replace"), "cp1252"


def _split_cells(line: str, delimiter: str) -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=delimiter), [])


# Only these end a row for DuckDB; str.splitlines() would also split on form feeds, U+2028 and
# the like, and the header's line number would then disagree with DuckDB's `skip`.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_XLSX_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (zip) and .xls (OLE2)


def plan_file(path: Path, expected_columns: list[set[str]], scan: FileScan | None = None) -> FilePlan:
    """Find encoding, delimiter and header row.

    `expected_columns` holds, for each contract column, the normalised names it may carry (its
    name and aliases). The header is the first row in which at least half the columns appear.
    `scan`, when given, says whether the whole file is UTF-8; without it only the first block
    is looked at.
    """
    if not path.exists():
        raise IngestError(path, "The file does not exist.", "Check the extract folder and the file name pattern in the contract.")
    if not path.is_file():
        raise IngestError(path, "This is a folder, not a file.", "Deliver the table as one CSV file.")
    if path.stat().st_size == 0:
        raise IngestError(path, "The file is empty (0 bytes).", "Re-run the export from the source system; an empty table still needs its header row.")
    with path.open("rb") as fh:
        sample = fh.read(SNIFF_BYTES)
    if sample.startswith(_XLSX_MAGIC):
        raise IngestError(path, "The file is an Excel workbook saved with a .csv name, not a CSV.", "Open it in Excel, choose Save As > CSV UTF-8, and deliver the CSV.")
    text, encoding = _decode_sample(sample, path)
    if b"\x00" in sample and not encoding.startswith("utf-16"):
        raise IngestError(path, "The file contains NUL bytes and is not a text CSV (perhaps a binary file or a workbook renamed to .csv).", "Save the sheet as CSV (UTF-8) and deliver it again.")
    if scan is not None and encoding in ("utf-8", "utf-8-sig") and not scan.valid_utf8:
        # The first block looked like UTF-8 but a later byte is not: the file is Windows-1252.
        encoding = "cp1252"
    lines = _LINE_BREAK.split(text)
    best: tuple[int, int, str, list[str]] | None = None  # (matches, line_no, delimiter, cells)
    for idx, line in enumerate(lines[:MAX_HEADER_SEARCH_LINES]):
        if not line.strip(" ,;|\t\"'"):
            continue  # blank or separator-only rows above the header
        for delim in DELIMITERS:
            if delim not in line and len(expected_columns) > 1:
                continue
            cells = _split_cells(line, delim)
            names = {normalise_header(c) for c in cells}
            matches = sum(1 for options in expected_columns if names & options)
            if best is None or matches > best[0]:
                best = (matches, idx + 1, delim, cells)
        if best and best[0] >= max(1, len(expected_columns) // 2):
            break
    if best is None or best[0] < max(1, len(expected_columns) // 2):
        shown = ", ".join(sorted(min(options) for options in expected_columns)[:6])
        raise IngestError(
            path,
            f"No header row found in the first {MAX_HEADER_SEARCH_LINES} lines: no row holds at least half of the contract's column names (expected names like {shown}).",
            "Check that this is the right table and that the export includes column headers.",
        )
    _, line_no, delim, cells = best
    return FilePlan(path=path, encoding=encoding, delimiter=delim, header_line=line_no, header=tuple(c.strip() for c in cells))


def transcode_to_utf8(plan: FilePlan, work_dir: Path, source: Path, digest: str) -> Path:
    """Write a UTF-8 copy of a Windows-1252 or UTF-16 file into the work folder and return it.
    `source` is the byte-for-byte copy of the planned file that is loaded, `digest` its checksum
    (errors still name the delivered file).

    Windows-1252 leaves five byte values undefined; those decode as Latin-1 so nothing is lost.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    target = work_dir / f"{plan.path.stem}.{digest[:12]}.utf8.csv"
    if target.exists():
        return target
    source_encoding = plan.encoding
    errors = "cp1252_to_latin1" if source_encoding == "cp1252" else "strict"
    tmp = target.with_suffix(".partial")
    try:
        with source.open("r", encoding=source_encoding, errors=errors, newline="") as src, tmp.open("w", encoding="utf-8", newline="") as dst:
            while block := src.read(1024 * 1024):
                dst.write(block.replace("\ufeff", "") if dst.tell() == 0 else block)
    except UnicodeError as exc:
        tmp.unlink(missing_ok=True)
        raise IngestError(
            plan.path,
            f"The file looks like {source_encoding} but byte {exc.start} cannot be decoded as such ({exc.reason}).",
            "Re-export the table as CSV UTF-8 and deliver it again.",
        ) from exc
    tmp.replace(target)
    return target


def _cp1252_to_latin1(exc: UnicodeError):
    if isinstance(exc, UnicodeDecodeError):
        return exc.object[exc.start : exc.end].decode("latin-1"), exc.end
    raise exc


codecs.register_error("cp1252_to_latin1", _cp1252_to_latin1)
