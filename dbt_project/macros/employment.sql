{#- Whether a person was employed on `day`: from the hire date to the termination date, both
    included (no termination: still employed). Null when the hire date is unknown. -#}
{% macro employed_on(day, hire_date='hire_date', termination_date='termination_date') -%}
    ({{ hire_date }} <= {{ day }} and ({{ termination_date }} is null or {{ day }} <= {{ termination_date }}))
{%- endmacro %}
