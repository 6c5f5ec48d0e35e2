{#- Raw tables keep every extract ever delivered (history). Staging reads one: the latest
    delivered on or before var('as_at_extract_date'), so "what did we know on date X" is a
    rebuild with --vars '{as_at_extract_date: X}'. -#}
{% macro from_latest_extract(source_name, table_name) -%}
    select *
    from {{ source(source_name, table_name) }}
    where _extract_id = (
        select max(_extract_id)
        from {{ source(source_name, table_name) }}
        where _extract_date <= {{ date_literal(var('as_at_extract_date')) }}
    )
{%- endmacro %}
