{#- The contract of the measure models' nine columns, checked in one pass: key columns filled,
    the authority one of the boroughs, the unit one of `units`, numerator and denominator not
    negative (except for the `signed_units`, such as Progress 8 means held as sums), and the grain
    unique. Each failing row says why, with its measure_id. It is declared on each domain's union
    (msr__<domain>), which holds every row of the domain's measure models, so one node checks them
    all; tests/test_dbt_docs.py checks that every measure model is in a union. -#}
{% test measure_rows(model, units, signed_units=[]) %}
    {%- set keys = ['measure_id', 'la_code', 'period_id', 'statistic', 'breakdown', 'breakdown_value'] -%}
    with measure_rows as (
        select * from {{ model }}
    ),

    row_failures as (
        {%- for key in keys + ['numerator', 'unit'] %}
        select {{ keys | join(', ') }}, '{{ key }} is null' as failure
        from measure_rows where {{ key }} is null
        union all
        {%- endfor %}
        select {{ keys | join(', ') }}, 'la_code is not a borough in the boroughs seed'
        from measure_rows
        where la_code is not null
            and cast(la_code as {{ dbt.type_string() }}) not in (select cast(la_code as {{ dbt.type_string() }}) from {{ ref('boroughs') }})
        union all
        select {{ keys | join(', ') }}, 'unit ' || unit || ' is not one of {{ units | join(", ") }}'
        from measure_rows
        where unit not in ('{{ units | join("', '") }}')
        union all
        select {{ keys | join(', ') }}, 'negative numerator or denominator'
        from measure_rows
        where denominator < 0
            or (numerator < 0{% if signed_units %} and unit not in ('{{ signed_units | join("', '") }}'){% endif %})
    ),

    duplicates as (
        select {{ keys | join(', ') }}, 'more than one row for this measure, authority, period, statistic and breakdown'
        from measure_rows
        group by {{ keys | join(', ') }}
        having count(*) > 1
    )

    select * from row_failures
    union all
    select * from duplicates
{% endtest %}
