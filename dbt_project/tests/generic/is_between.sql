{#- Fails for rows whose column lies outside [min_value, max_value] (nulls pass). -#}
{% test is_between(model, column_name, min_value=none, max_value=none, where_clause=none) %}
    select *
    from {{ model }}
    where {{ column_name }} is not null
      {% if where_clause %}and ({{ where_clause }}){% endif %}
      and (
          {% if min_value is not none %}{{ column_name }} < {{ min_value }}{% else %}false{% endif %}
          or {% if max_value is not none %}{{ column_name }} > {{ max_value }}{% else %}false{% endif %}
      )
{% endtest %}
