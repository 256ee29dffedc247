{#- The months in a plan period (month, quarter or year), and its length as an interval:
    quota periods, bonus periods, draw periods and MBO periods all use them. -#}
{% macro period_months(period) -%}
    case {{ period }} when 'month' then 1 when 'quarter' then 3 else 12 end
{%- endmacro %}

{% macro period_length(period) -%}
    make_interval(months => {{ period_months(period) }})
{%- endmacro %}
