{#- The rules on a model's columns, checked as one dbt test: columns that must be filled, columns
    and combinations of columns that must be unique, columns held to a list of codes or to a
    range, and columns whose values must exist in another model. Fails with one row per broken
    rule, saying which and in how many rows (or, for uniqueness, how many values occur more than
    once).

    One test, not one per rule: dbt spends some 25 to 60 ms of its own Python on every test node
    whatever the data, and with a node per rule the 186 tested models and seeds carried 426
    tests, which cost more of a nightly build than the models did (docs/benchmarks.md, item 39).
    The filled, coded and range rules share one scan of the model; each uniqueness rule is a
    group-by of its own, and each reference is the left join of dbt's relationships test. Nulls
    pass the code, range and reference rules, and a single unique column ignores them, as dbt's
    accepted_values, unique and relationships do; a unique combination counts nulls as values.

    Arguments (each optional):
      not_null:            [column, ...]
      unique:              [column, ...]              each unique on its own
      unique_combinations: [[column, column], ...]    each list unique as a whole
      accepted_values:     {column: [value, ...]}
      between:             {column: {min_value: x, max_value: y}}   either bound may be left out
      references:          {column: {to: "ref('model')", field: column}}   as dbt's relationships
-#}
{% test column_rules(model, not_null=[], unique=[], unique_combinations=[], accepted_values={}, between={}, references={}) %}
    {%- set row_rules = [] -%}
    {%- for column in not_null -%}
        {%- do row_rules.append((column ~ ' is null', column ~ ' is null')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set quoted = [] -%}
        {%- for value in values -%}
            {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do row_rules.append((column ~ ' is not one of ' ~ (values | join(', ')), column ~ ' not in (' ~ (quoted | join(', ')) ~ ')')) -%}
    {%- endfor -%}
    {%- for column, bounds in between.items() -%}
        {%- set low, high = bounds.get('min_value'), bounds.get('max_value') -%}
        {%- if low is not none -%}
            {%- do row_rules.append((column ~ ' is below ' ~ low, column ~ ' < ' ~ low)) -%}
        {%- endif -%}
        {%- if high is not none -%}
            {%- do row_rules.append((column ~ ' is above ' ~ high, column ~ ' > ' ~ high)) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- set branches = [] -%}
    {%- for label, condition in row_rules -%}
        {%- do branches.append("select '" ~ (label | replace("'", "''")) ~ "' as rule, rule_" ~ loop.index ~ " as failing_rows from row_counts where rule_" ~ loop.index ~ " > 0") -%}
    {%- endfor -%}
    {%- set keys = [] -%}
    {%- for column in unique -%}
        {%- do keys.append(([column], column ~ ' is not unique', column ~ ' is not null')) -%}
    {%- endfor -%}
    {%- for columns in unique_combinations -%}
        {%- do keys.append((columns, '(' ~ (columns | join(', ')) ~ ') is not unique', none)) -%}
    {%- endfor -%}
    {%- for columns, label, condition in keys -%}
        {%- do branches.append(
            "select '" ~ label ~ "' as rule, failing_rows from (select count(*) as failing_rows from (select " ~ (columns | join(', ')) ~ " from checked"
            ~ (" where " ~ condition if condition else "") ~ " group by " ~ (columns | join(', ')) ~ " having count(*) > 1) as repeated_values) as counted where failing_rows > 0"
        ) -%}
    {%- endfor -%}

    {%- for column, reference in references.items() -%}
        {%- do branches.append(
            "select '" ~ column ~ " is not in " ~ reference.to.identifier ~ "." ~ reference.field ~ "' as rule, failing_rows from (select count(*) as failing_rows from"
            ~ " (select " ~ column ~ " as from_field from checked where " ~ column ~ " is not null) as child"
            ~ " left join (select " ~ reference.field ~ " as to_field from " ~ reference.to ~ ") as parent on child.from_field = parent.to_field"
            ~ " where parent.to_field is null) as counted where failing_rows > 0"
        ) -%}
    {%- endfor -%}

    with checked as (
        select * from {{ model }}
    )
    {%- if row_rules %},

    row_counts as (
        select
        {%- for label, condition in row_rules %}
            sum(case when {{ condition }} then 1 else 0 end) as rule_{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
        from checked
    )
    {%- endif %}

    {% for branch in branches %}
    {{ branch }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
