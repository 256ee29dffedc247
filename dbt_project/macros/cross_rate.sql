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

{#-
    The two rows of `fx_rates` (int_fx_rates) a conversion of `from_currency` into
    `to_currency` on `on_day` needs, as left joins named `<alias>_from` and `<alias>_to`;
    fx_rate_between(alias, ...) is then the rate. A missing row leaves the rate null.
-#}
{% macro fx_rate_joins(alias, from_currency, to_currency, on_day, fx_rates='fx_rates') -%}
    left join {{ fx_rates }} as {{ alias }}_from
        on {{ alias }}_from.currency = {{ from_currency }}
        and {{ alias }}_from.rate_date = {{ on_day }}
    left join {{ fx_rates }} as {{ alias }}_to
        on {{ alias }}_to.currency = {{ to_currency }}
        and {{ alias }}_to.rate_date = {{ on_day }}
{%- endmacro %}

{% macro fx_rate_between(alias, from_currency, to_currency) -%}
    {{ cross_rate(from_currency, to_currency, alias ~ '_from.usd_rate', alias ~ '_to.usd_rate') }}
{%- endmacro %}

{#-
    The day a plan converts what it writes in its currency (a target incentive, a unit's
    amount, a cap) and what a credit in the plan currency earns into the pay currency, for
    something dated `day`: that day (fx_rate_date credit_date) or the last day of its month
    (period_end).
-#}
{% macro plan_fx_date(fx_rate_date, day) -%}
    case
        when {{ fx_rate_date }} = 'credit_date' then {{ day }}
        else (date_trunc('month', {{ day }}) + interval '1 month' - interval '1 day')::date
    end
{%- endmacro %}
