{#- Fails with one row for each listed column that holds a null, and how many rows it is null in.
    One scan of the model for all its required columns: dbt's column-level not_null is one query
    (and one dbt node, about 60 ms of fixed cost) per column, which made 411 of the project's 732
    tests and, at national volume, one pass over the pupil-level tables per column. -#}
{% test not_null_columns(model, columns) %}
    with null_counts as (
        select
            {%- for column in columns %}
            count(*) - count({{ column }}) as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from {{ model }}
    )
    {% for column in columns %}
    select '{{ column }}' as column_name, {{ column }} as null_rows
    from null_counts
    where {{ column }} > 0
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
