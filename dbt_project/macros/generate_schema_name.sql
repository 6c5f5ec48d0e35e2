{#- Schemas are named exactly as configured (staging, intermediate, marts, published, ...):
    analysts read `marts.outcome_measures`, not `main_marts.outcome_measures`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
