{#-
    Round money to a currency's minor units (USD 2, JPY 0). PostgreSQL's round() on
    numeric rounds half away from zero. Used once per (employee, plan, period).
-#}
{% macro round_to_minor_units(amount, minor_units) -%}
    round({{ amount }}, {{ minor_units }})
{%- endmacro %}
