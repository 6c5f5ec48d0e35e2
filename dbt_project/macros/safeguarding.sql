{#- Helpers of the safeguarding models (front door, child protection, early help, EHC plans).
    Engine-specific SQL stays in these macros; models call them. -#}

{#- The factor codes of an assessment factors value, upper-cased, as a list. Councils deliver the
    SSD column in three shapes, all accepted:
      {"3B": "Yes", "4A": "Yes"}   JSON object, answered factors (Yes / Y / true / 1) only
      ["3B", "4A"]                 JSON array
      3B  or  3B, 4A               bare code(s): the Mosaic script writes one row per factor
    Anything else becomes whatever codes it splits into, and fails the code-set check. -#}
{% macro assessment_factor_codes(text_column) -%}
    {{ return(adapter.dispatch('assessment_factor_codes', 'outcomes_warehouse')(text_column)) }}
{%- endmacro %}

{% macro default__assessment_factor_codes(t) -%}
    list_transform(
        case
            when json_valid({{ t }}) and json_type(try_cast({{ t }} as json)) = 'OBJECT' then
                list_filter(
                    json_keys(try_cast({{ t }} as json)),
                    lambda k: upper(trim(json_extract_string(try_cast({{ t }} as json), '$."' || k || '"'))) in ('YES', 'Y', 'TRUE', '1')
                )
            when json_valid({{ t }}) and json_type(try_cast({{ t }} as json)) = 'ARRAY' then
                json_extract_string(try_cast({{ t }} as json), '$[*]')
            else
                list_filter(string_split(regexp_replace({{ t }}, '[\[\]"{}[:space:]]', '', 'g'), ','), lambda k: k <> '')
        end,
        lambda k: upper(trim(k))
    )
{%- endmacro %}

{#- One row per element of a list expression (use in a select list). -#}
{% macro explode_list(list_expression) -%}
    {{ return(adapter.dispatch('explode_list', 'outcomes_warehouse')(list_expression)) }}
{%- endmacro %}

{% macro default__explode_list(list_expression) -%}
    unnest({{ list_expression }})
{%- endmacro %}

{% macro spark__explode_list(list_expression) -%}
    explode({{ list_expression }})
{%- endmacro %}

{#- DfE children in need age bands on a date: unborn, under 1, 1-4, 5-9, 10-15, 16+. -#}
{% macro cin_age_band(date_of_birth, on_date) -%}
    case
        when {{ date_of_birth }} is null then 'Not known'
        when {{ on_date }} < {{ date_of_birth }} then 'Unborn'
        when {{ age_at(date_of_birth, on_date) }} < 1 then 'Under 1'
        when {{ age_at(date_of_birth, on_date) }} < 5 then '1-4'
        when {{ age_at(date_of_birth, on_date) }} < 10 then '5-9'
        when {{ age_at(date_of_birth, on_date) }} < 16 then '10-15'
        else '16+'
    end
{%- endmacro %}

{#- The age bands above, as rows (breakdown frames list every band so a zero is a zero). -#}
{% macro cin_age_bands() -%}
    select * from (values ('Unborn'), ('Under 1'), ('1-4'), ('5-9'), ('10-15'), ('16+'), ('Not known')) as bands (breakdown_value)
{%- endmacro %}

{#- Local standard for child protection visits, in working days between visits (and from the
    start of the plan to the first visit). The documents do not state it; 10 working days (a
    visit at least fortnightly) is a common local standard. Override with
    --vars '{cp_visit_interval_working_days: 15}'. -#}
{% macro cp_visit_interval_working_days() -%}
    {{ var('cp_visit_interval_working_days', 10) }}
{%- endmacro %}

{#- A contact led to a referral when the same child was referred on the contact date or within
    this many days after it (default 7). -#}
{% macro contact_referral_window_days() -%}
    {{ var('contact_referral_window_days', 7) }}
{%- endmacro %}
