"""Knowing a file is unchanged without reading it again: its stat data, as git's index does.

Every night each delivered file is checksummed to see whether it was loaded before. At national
volume that is 16 GB read only to find the same checksums, most of a night with nothing new.
A file whose size, inode, modification time and change time are what they were when it was
last checksummed has not been written since: any write moves the change time (ctime), and no
tool can set it back.

Timestamps are coarse (a clock tick), so a file rewritten within the same tick as its checksum
could keep them. As with git's "racy" rule, a file changed less than RACY_NS before it was
checksummed is not trusted on its stat data and is read again. Deleting dq.file_stats makes
the next run checksum every file.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

RACY_NS = 2_000_000_000

DDL = """
create table if not exists dq.file_stats (
    source varchar, table_name varchar, extract_id varchar, file_name varchar, sha256 varchar,
    bytes bigint, inode bigint, mtime_ns bigint, ctime_ns bigint, checked_at_ns bigint
)
"""


@dataclass(frozen=True)
class FileStat:
    bytes: int
    inode: int
    mtime_ns: int
    ctime_ns: int
    taken_at_ns: int  # when the stat was taken: before the file was read

    @classmethod
    def of(cls, path: Path) -> "FileStat":
        taken = time.time_ns()
        st = os.stat(path)
        return cls(st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, taken)


def known_checksum(con, source: str, table: str, extract_id: str, file_name: str, stat: FileStat) -> str | None:
    """The checksum this file had when last read, if it cannot have changed since; else None."""
    rows = con.execute(
        "select sha256 from dq.file_stats where source = ? and table_name = ? and extract_id = ? and file_name = ? "
        "and bytes = ? and inode = ? and mtime_ns = ? and ctime_ns = ? and ctime_ns < checked_at_ns - ?",
        [source, table, extract_id, file_name, stat.bytes, stat.inode, stat.mtime_ns, stat.ctime_ns, RACY_NS],
    ).fetchall()
    return rows[0][0] if rows else None


def remember(con, source: str, table: str, extract_id: str, file_name: str, stat: FileStat, sha256: str) -> None:
    """Record the checksum read from the file whose stat data was taken just before reading it."""
    key = [source, table, extract_id, file_name]
    con.execute("delete from dq.file_stats where source = ? and table_name = ? and extract_id = ? and file_name = ?", key)
    con.execute(
        "insert into dq.file_stats values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*key, sha256, stat.bytes, stat.inode, stat.mtime_ns, stat.ctime_ns, stat.taken_at_ns],
    )


def seen_at_this_size(con, source: str, table: str, extract_id: str, file_name: str, stat: FileStat) -> bool:
    """Whether a file of this name and size was checksummed for this extract before: a file
    touched or copied again since it was loaded keeps its size (and its bytes), a changed one
    usually does not. Ingest then checksums it before reading it (load.py)."""
    return con.execute(
        "select count(*) from dq.file_stats where source = ? and table_name = ? and extract_id = ? and file_name = ? and bytes = ?",
        [source, table, extract_id, file_name, stat.bytes],
    ).fetchall()[0][0] > 0
