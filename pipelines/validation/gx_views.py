"""The Data Docs page view, with its compiled templates kept for the life of the process, and a
section builder that renders the pages asked for without listing every stored result.

GX renders each Data Docs page with a Jinja environment of its own, made afresh for every
`build_data_docs` call, so every suite's page compiled the same templates again: about 0.1 s a
page, two dozen pages a night (docs/benchmarks.md, item 24). Jinja's bytecode cache is its own
extension point for this: a template whose source has not changed is loaded from the code
compiled the first time. The pages are the same (but for the random ids GX gives every page).
"""

from __future__ import annotations

from great_expectations.render.renderer.site_builder import DefaultSiteSectionBuilder
from great_expectations.render.view import DefaultJinjaPageView
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates in memory, keyed by Jinja on the template's name and source checksum."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = ProcessBytecodeCache()


class CachedJinjaPageView(DefaultJinjaPageView):
    """GX's page view, sharing one cache of compiled templates across its instances."""

    # The parameters spelled out: GX passes a view only the settings its signature names (the
    # project's custom styles among them).
    def __init__(self, custom_styles_directory=None, custom_views_directory=None) -> None:
        super().__init__(custom_styles_directory=custom_styles_directory, custom_views_directory=custom_views_directory)
        self.env.bytecode_cache = _COMPILED


class _Listed:
    """A GX store whose listing is the keys given (reads go to the store itself)."""

    def __init__(self, store, keys: list) -> None:
        self._store, self._keys = store, keys

    def list_keys(self) -> list:
        return list(self._keys)

    def __getattr__(self, name):
        return getattr(self._store, name)


class KeyedSiteSectionBuilder(DefaultSiteSectionBuilder):
    """GX's section builder, rendering the pages asked for without listing the whole store.

    Asked for one suite's new page, GX lists every stored result and keeps the ones asked for:
    150 ms with the 60 runs of history the project keeps (data_docs.KEEP_RUNS), once per suite
    and night (docs/benchmarks.md, item 41). Here the keys asked for are looked up one by one
    (`has_key`); with no keys given (a full rebuild) it lists the store as GX does.
    """

    def build(self, resource_identifiers=None) -> None:
        if not resource_identifiers:
            return super().build(resource_identifiers)
        store = self.source_store
        wanted = [key for key in resource_identifiers if isinstance(key, store.key_class) and store.has_key(key)]
        self.source_store = _Listed(store, wanted)
        try:
            super().build(resource_identifiers)
        finally:
            self.source_store = store
