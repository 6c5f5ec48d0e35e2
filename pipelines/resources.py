"""Dagster resources, configured once in definitions.py."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dagster as dg
import duckdb

from pipelines.settings import Settings


class WarehouseResource(dg.ConfigurableResource):
    """Where the landing zone, build database and publication live.

    `data_dir` defaults to OUTCOMES_DATA_DIR (or <repo>/data); tests point it at a temporary
    folder.
    """

    data_dir: str

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=Path(self.data_dir).resolve())

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the build database. Only the pipeline writes it."""
        settings = self.settings
        settings.ensure_dirs()
        con = duckdb.connect(str(settings.warehouse_path), read_only=read_only, config=settings.duckdb_config())
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """Point the dbt profile at this warehouse for the duration of a dbt invocation."""
        saved = {k: os.environ.get(k) for k in self.settings.dbt_env()}
        os.environ.update(self.settings.dbt_env())
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def default_warehouse() -> WarehouseResource:
    return WarehouseResource(data_dir=str(Settings.from_env().data_dir))
