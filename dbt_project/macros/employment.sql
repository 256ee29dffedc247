{#- Whether `day` falls in [starts_on, ends_on], both included; a null end is open. The
    test behind every effective-dated lookup: an assignment, a plan version, an employment. -#}
{% macro in_force_on(day, starts_on, ends_on) -%}
    ({{ starts_on }} <= {{ day }} and ({{ ends_on }} is null or {{ day }} <= {{ ends_on }}))
{%- endmacro %}

{#- Whether a person was employed on `day`: from the hire date to the termination date, both
    included (no termination: still employed). Null when the hire date is unknown. -#}
{% macro employed_on(day, hire_date='hire_date', termination_date='termination_date') -%}
    {{ in_force_on(day, hire_date, termination_date) }}
{%- endmacro %}
