"""Keyed pseudonymisation (HMAC-SHA256), computed inside DuckDB.

Why a keyed hash: a plain hash of a Mosaic person id or a UPN can be reversed by hashing every
possible id. With a secret key held outside the repository, the pseudonyms are stable (the same
child gets the same key every night, so history and linkage work) but cannot be recomputed by
anyone without the key.

Why in SQL: national-volume extracts have tens of millions of id values; a Python loop over
them would dominate the nightly run. HMAC is two SHA-256 calls, both available in DuckDB:
    HMAC(K, m) = H((K0 xor opad) || H((K0 xor ipad) || m))
`tests/test_privacy.py` checks the SQL against Python's `hmac` module.

Linkage across systems: the message hashed is "<namespace>:<normalised id>". Columns holding
the same kind of identifier in different systems (a UPN in Mosaic and in the school census, the
Mosaic person id held in the youth justice system) use the same namespace, so they get the same
pseudonym and journeys can be joined without ever holding the raw id.
"""

from __future__ import annotations

import hashlib
import hmac as _hmac
import os
import secrets
import uuid
from pathlib import Path

from pipelines.settings import DEFAULT_KEY_FILE, REPO_ROOT

KEY_ENV = "OUTCOMES_PSEUDONYMISATION_KEY"
KEY_FILE_ENV = "OUTCOMES_KEY_FILE"
PSEUDONYM_BYTES = 12  # 96 bits of the HMAC: collision-free at national volume
PSEUDONYM_HEX_CHARS = 2 * PSEUDONYM_BYTES
# A pseudonym is stored as a UUID: the HMAC's 96 bits, then 32 zero bits. Every pupil and child
# model joins and groups on it, tens of millions of rows at national volume (docs/benchmarks.md,
# items 23 and 24). As 24 hex characters of text it was compared through a pointer; as 12 bytes
# (a BLOB) it was compared inline, but DuckDB tried its string compression on every column of
# random bytes it wrote, which cost several times the write itself. A UUID is a 128-bit
# integer to DuckDB: compared, hashed and written as one. Not a plain number: pandas, Excel and
# BI tools turn a 96-bit number into a float, where two pseudonyms can look equal, and a number
# invites sums. A UUID is an opaque id everywhere: `uuid.UUID` in pandas, its 36-character text
# in a CSV, and a query can compare it with that text as a literal. Spark has no UUID type (and
# will not read DuckDB's Parquet UUIDs): an export to Spark writes `cast(col as varchar)`, and
# the models, which only compare, group and count pseudonyms, run on that text unchanged.
PSEUDONYM_SQL_TYPE = "UUID"
_PADDING_HEX = "0" * (32 - PSEUDONYM_HEX_CHARS)
# The text form a pseudonym had before item 23: its 12 bytes as lower-case hex.
HEX_PSEUDONYM = f"[0-9a-f]{{{PSEUDONYM_HEX_CHARS}}}"
_BLOCK = 64  # SHA-256 block size in bytes


class PseudonymisationKeyError(RuntimeError):
    """Raised when no usable key is available. Ingest refuses to run without one (fail closed)."""


def key_file_path() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV, DEFAULT_KEY_FILE)).expanduser()


def load_key() -> bytes:
    """The pseudonymisation key, from the environment or the key file. Never from the repo."""
    raw = os.environ.get(KEY_ENV)
    origin = f"environment variable {KEY_ENV}"
    if not raw:
        path = key_file_path()
        if path.resolve().is_relative_to(REPO_ROOT):
            raise PseudonymisationKeyError(
                f"The pseudonymisation key file {path} is inside the repository. Keys must live outside "
                f"it so they are never committed; move it and set {KEY_FILE_ENV}."
            )
        if not path.exists():
            raise PseudonymisationKeyError(
                f"No pseudonymisation key: set {KEY_ENV}, or create the key file {path} "
                f"(`python -m pipelines keygen` makes one; keep it secret and back it up: losing it "
                "breaks the link between old and new pseudonyms)."
            )
        raw = path.read_text(encoding="utf-8").strip()
        origin = f"key file {path}"
    try:
        key = bytes.fromhex(raw)
    except ValueError as exc:
        raise PseudonymisationKeyError(f"The pseudonymisation key in the {origin} is not hexadecimal.") from exc
    if len(key) < 32:
        raise PseudonymisationKeyError(f"The pseudonymisation key in the {origin} is shorter than 32 bytes.")
    return key


def generate_key_file(path: Path | None = None) -> Path:
    """Create a new random key file (mode 600) if none exists; return its path."""
    path = path or key_file_path()
    if path.exists():
        return path
    if path.resolve().is_relative_to(REPO_ROOT):
        raise PseudonymisationKeyError(f"Refusing to write a key inside the repository: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path


_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TRIMMED = " \t\r\n"


def normalise_id(value: str) -> str:
    """Identifiers compare as trimmed text with ASCII letters upper-cased; leading zeros count.

    Deliberately ASCII-only: Unicode case rules differ between engines ('ß'.upper() is 'SS' in
    Python but unchanged in DuckDB), and an id must hash the same everywhere.
    """
    return value.strip(_TRIMMED).translate(_ASCII_UPPER)


def pseudonym(key: bytes, namespace: str, value: str) -> uuid.UUID:
    """Reference implementation in Python (used by tests and the canary check); DuckDB returns a
    UUID column's values as the same `uuid.UUID`."""
    message = f"{namespace}:{normalise_id(value)}".encode()
    return uuid.UUID(bytes=_hmac.new(key, message, hashlib.sha256).digest()[:PSEUDONYM_BYTES] + bytes(16 - PSEUDONYM_BYTES))


def sql_from_hex_pseudonym(hex_sql: str) -> str:
    """SQL turning the hex text of a pseudonym (the HMAC's first 24 hex digits) into the stored
    UUID. Also converts the pseudonyms of a warehouse built before item 24."""
    return f"cast({hex_sql} || '{_PADDING_HEX}' as uuid)"


def _pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


_SQL_TRIMMED = "trim(v, ' ' || chr(9) || chr(13) || chr(10))"
# `translate` looks each character up in its map, about a microsecond a value: a third of the
# macro's cost. On ASCII text (more bytes than characters means it is not) `upper` is the same
# map; on other text DuckDB's `upper` follows Unicode, which `normalise_id` does not, so
# `translate` stays for that (docs/benchmarks.md, item 32).
_SQL_NORMALISED = (
    f"(case when strlen({_SQL_TRIMMED}) = length({_SQL_TRIMMED}) then upper({_SQL_TRIMMED}) "
    f"else translate({_SQL_TRIMMED}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') end)"
)


# The pseudonyms the macro has given in this connection, by namespace and identifier. Ingest
# hashes the distinct identifiers of each file (load.py), and the same children are in nearly
# every Mosaic table and the same pupils in every education file: the known ones are looked up
# here and only the others hashed. At ten times the bi-borough volume that took 8% off the CPU
# of Mosaic's ingest (docs/benchmarks.md, item 35). Like the key, it lives only in this
# connection's memory (a TEMP table, spilled like any work table when memory is short), never
# reaches the database file, and ingest drops it when a source has loaded.
PSEUDONYM_MEMO = "temp.main.pseudonym_memo"


def install_sql_macro(con, key: bytes) -> None:
    """Define `pseudonymise(namespace, value)` as a temporary macro on a DuckDB connection.

    The key material exists only in this connection's memory; the macro is TEMP so it is
    never written to the database file.
    """
    ipad, opad = _pads(key)
    # A blank id has no pseudonym: nullif makes the message NULL, and NULL runs through `||`,
    # the hashes and the cast. The id is normalised once (a CASE testing it first did it twice).
    message = f"encode(ns || ':' || nullif({_SQL_NORMALISED}, ''))"
    hmac_hex = f"sha256(unhex('{opad.hex()}') || unhex(sha256(unhex('{ipad.hex()}') || {message})))"
    stored = sql_from_hex_pseudonym(f"substr({hmac_hex}, 1, {PSEUDONYM_HEX_CHARS})")
    con.execute(f"create or replace temp macro pseudonymise(ns, v) as {stored}")
    # The memo holds what this key gave, so a new key starts an empty one.
    con.execute(f"create or replace temp table {PSEUDONYM_MEMO} (namespace varchar, plain varchar, pseudonym {PSEUDONYM_SQL_TYPE})")


def forget_pseudonyms(con) -> None:
    """Drop the memo of pseudonyms given (the macro stays): what ingest does when a source is done."""
    con.execute(f"drop table if exists {PSEUDONYM_MEMO}")
