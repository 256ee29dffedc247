{#-
    The rate converting one unit of `from_currency` into `to_currency`, from the rates
    to USD of the day (USD itself is 1 and has no row): widened to 20 decimals before
    dividing, then rounded once to 10 (half away from zero). 1 when the currencies are
    the same; null when a rate is missing.
-#}
{% macro cross_rate(from_currency, to_currency, from_usd_rate, to_usd_rate) -%}
    case
        when {{ from_currency }} = {{ to_currency }} then 1::numeric
        else round(
            (case when {{ from_currency }} = 'USD' then 1 else {{ from_usd_rate }} end)::numeric(38, 20)
            / nullif(case when {{ to_currency }} = 'USD' then 1 else {{ to_usd_rate }} end, 0),
            10
        )
    end
{%- endmacro %}
