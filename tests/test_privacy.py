"""Keyed pseudonymisation: the SQL implementation equals Python's hmac; no key, no ingest."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from pipelines.privacy.pseudonymise import (
    PSEUDONYM_HEX_CHARS,
    PseudonymisationKeyError,
    generate_key_file,
    install_sql_macro,
    load_key,
    pseudonym,
)

KEY = bytes(range(40))


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    install_sql_macro(c, KEY)
    yield c
    c.close()


@hsettings(max_examples=200, deadline=None)
@given(value=st.text(min_size=1, max_size=40).filter(lambda s: s.strip(" \t\r\n")), namespace=st.sampled_from(["mosaic_person", "upn", "nhs_number"]))
def test_sql_hmac_matches_python(con, value, namespace):
    normalised = value.strip(" \t\r\n").translate(str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    expected = hmac.new(KEY, f"{namespace}:{normalised}".encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]
    got = con.execute("select pseudonymise(?, ?)", [namespace, value]).fetchall()[0][0]
    assert got == expected == pseudonym(KEY, namespace, value)


def test_same_id_links_across_systems_only_within_a_namespace(con):
    upn_in_mosaic = con.execute("select pseudonymise('upn', 'A207000000001')").fetchall()[0][0]
    upn_in_census = con.execute("select pseudonymise('upn', ' a207000000001 ')").fetchall()[0][0]
    same_digits_other_kind = con.execute("select pseudonymise('mosaic_person', 'A207000000001')").fetchall()[0][0]
    assert upn_in_mosaic == upn_in_census
    assert upn_in_mosaic != same_digits_other_kind


def test_leading_zeros_are_significant(con):
    assert con.execute("select pseudonymise('mosaic_person', '0012')").fetchall()[0][0] != con.execute("select pseudonymise('mosaic_person', '12')").fetchall()[0][0]


def test_missing_key_refuses(monkeypatch, tmp_path):
    monkeypatch.delenv("OUTCOMES_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(tmp_path / "absent.key"))
    with pytest.raises(PseudonymisationKeyError, match="No pseudonymisation key"):
        load_key()


def test_short_or_malformed_keys_refuse(monkeypatch):
    monkeypatch.setenv("OUTCOMES_PSEUDONYMISATION_KEY", "abcd")
    with pytest.raises(PseudonymisationKeyError, match="shorter than 32 bytes"):
        load_key()
    monkeypatch.setenv("OUTCOMES_PSEUDONYMISATION_KEY", "not hex at all")
    with pytest.raises(PseudonymisationKeyError, match="not hexadecimal"):
        load_key()


def test_key_file_inside_the_repository_refuses(monkeypatch):
    from pipelines.settings import REPO_ROOT

    monkeypatch.delenv("OUTCOMES_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(REPO_ROOT / "data" / "oops.key"))
    with pytest.raises(PseudonymisationKeyError, match="inside the repository"):
        load_key()


def test_generated_key_file_is_private(monkeypatch, tmp_path):
    path = generate_key_file(tmp_path / "keys" / "k.key")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    monkeypatch.delenv("OUTCOMES_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(path))
    assert len(load_key()) == 32


def test_ingest_refuses_without_a_key(settings, monkeypatch):
    from pipelines.contracts.model import load_contract
    from pipelines.ingest.run import ingest_source
    from tests.conftest import copy_fixture

    copy_fixture("tiny", settings)
    monkeypatch.delenv("OUTCOMES_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.setenv("OUTCOMES_KEY_FILE", str(settings.data_dir.parent / "missing.key"))
    con = duckdb.connect(str(settings.warehouse_path))
    with pytest.raises(PseudonymisationKeyError):
        ingest_source(con, settings, load_contract(), "mosaic")
    tables = con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchall()[0][0]
    con.close()
    assert tables == 0
