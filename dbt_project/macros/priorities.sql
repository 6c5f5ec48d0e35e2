{#- One priority outcome's rows of marts.outcome_measures, with the measure's definition and the
    priority's wording beside every figure, so an analyst reads the mart without a join. The
    seven priority marts are this macro with a different priority; measures of priority W
    (workforce) belong to none of them. -#}
{% macro priority_mart(priority) -%}
select
    outcome_measures.*,
    registry.definition as measure_definition,
    priorities.priority_name,
    priorities.outcome_statement as priority_outcome
from {{ ref('outcome_measures') }} as outcome_measures
inner join {{ ref('priorities') }} as priorities
    on outcome_measures.priority = priorities.priority
left join {{ ref('measure_registry') }} as registry
    on outcome_measures.measure_id = registry.measure_id
where outcome_measures.priority = '{{ priority }}'
{%- endmacro %}
