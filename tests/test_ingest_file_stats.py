"""An unchanged file is recognised by its stat data, a changed one never is (file_stats.py).

The observable difference: a file recognised by stat data is not checksummed again, so its row
in dq.file_stats keeps the time of its first checksum; a file that is read gets a new one.
"""

from __future__ import annotations

import time

from tests.ingest_helpers import HEADER, connect, deliver, ingest

ROWS = "207,P001,Ann,F,2010-01-02,2020-05-01,3,0042,W2 1LZ\n213,P002,Bob,M,2011-03-04,2021-06-01,1,0007,SW1A 1AA\n"


def _checked_at(con) -> int:
    return con.execute("select checked_at_ns from dq.file_stats where file_name = 'people.csv'").fetchall()[0][0]


def _loaded_sha(con) -> list[str]:
    return [r[0] for r in con.execute("select sha256 from dq.ingest_log where status = 'loaded'").fetchall()]


def test_an_old_unchanged_file_is_not_read_again_and_a_rewrite_is(tmp_path):
    extract, path = deliver(tmp_path, HEADER + "\n" + ROWS)
    time.sleep(2.2)  # older than the racy window when first checksummed
    con = connect(tmp_path)
    first = ingest(con, tmp_path, extract, path)
    checked = _checked_at(con)

    again = ingest(con, tmp_path, extract, path)
    assert (first.status, again.status) == ("loaded", "unchanged")
    assert again.sha256 == first.sha256 and again.rows_staged == 2
    assert _checked_at(con) == checked  # known by stat data: not read

    # Rewritten in place, same size: the change time moves, so it is read and loaded again.
    path.write_text(HEADER + "\n" + ROWS.replace("Ann,F", "Ann,M"))
    changed = ingest(con, tmp_path, extract, path)
    assert changed.status == "loaded" and changed.sha256 != first.sha256
    assert _loaded_sha(con) == [changed.sha256]
    assert _checked_at(con) > checked


def test_a_file_rewritten_within_the_racy_window_is_read_again(tmp_path):
    extract, path = deliver(tmp_path, HEADER + "\n" + ROWS)
    con = connect(tmp_path)
    first = ingest(con, tmp_path, extract, path)
    # Same size, same second: coarse timestamps may not move, so stat data alone must not be trusted.
    path.write_text(HEADER + "\n" + ROWS.replace("Bob,M", "Bob,F"))
    second = ingest(con, tmp_path, extract, path)
    assert second.status == "loaded" and second.sha256 != first.sha256
    assert _loaded_sha(con) == [second.sha256]
