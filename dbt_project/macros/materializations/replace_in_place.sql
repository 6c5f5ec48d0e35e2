{#-
  Table and view materialisations for DuckDB that build a model with one statement:
  `create or replace table|view <model> as (<select>)`, inside the node's transaction.

  Why: dbt-duckdb's own materialisations build an intermediate relation, rename the old one to a
  backup, rename the new one into place and drop the backup, looking each up in the relation
  cache on the way: some fifteen macro calls and four statements per model. With 170-odd models
  that is several seconds of dbt's Python a night, whatever the volume (docs/benchmarks.md,
  item 40). DuckDB replaces a relation atomically within a transaction, so readers of the
  build database see the old table or the new one, never neither, exactly as with the renames.

  Only for DuckDB (`adapter='duckdb'`): on another engine (Spark, say) dbt uses that engine's
  own materialisations and this file changes nothing. Features this project does not use and
  that the one statement cannot honour (enforced contracts, partitioning, sorting, indexes,
  Python models) fail the model with a message instead of being ignored.
-#}

{% materialization table, adapter='duckdb' %}
  {{ return(outcomes_create_or_replace('table')) }}
{% endmaterialization %}

{% materialization view, adapter='duckdb' %}
  {{ return(outcomes_create_or_replace('view')) }}
{% endmaterialization %}

{% macro outcomes_create_or_replace(relation_type) %}
  {%- set unsupported = [] -%}
  {%- if config.get('contract') and config.get('contract').enforced -%}{%- do unsupported.append('an enforced contract') -%}{%- endif -%}
  {%- for option in ['partitioned_by', 'sorted_by', 'indexes'] -%}
    {%- if config.get(option) -%}{%- do unsupported.append(option) -%}{%- endif -%}
  {%- endfor -%}
  {%- if model['language'] != 'sql' -%}{%- do unsupported.append('a ' ~ model['language'] ~ ' model') -%}{%- endif -%}
  {%- if unsupported -%}
    {%- do exceptions.raise_compiler_error(
      this ~ ' uses ' ~ unsupported | join(', ') ~ ', which the project\'s one-statement materialisation '
      ~ '(dbt_project/macros/materializations/replace_in_place.sql) does not support. Remove that file to use '
      ~ 'dbt-duckdb\'s own materialisations.') -%}
  {%- endif -%}

  {%- set existing = load_cached_relation(this) -%}
  {%- set target = this.incorporate(type=relation_type) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {#- A view cannot replace a table, nor a table a view: drop a relation of the other kind first
      (in the same transaction). -#}
  {%- if existing is not none and existing.type != relation_type -%}
    {{ adapter.drop_relation(existing) }}
  {%- endif -%}

  {% call statement('main') -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    create or replace {{ relation_type }} {{ target }} as (
      {{ compiled_code }}
    );
  {%- endcall %}

  {% do persist_docs(target, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target]}) }}
{% endmacro %}
