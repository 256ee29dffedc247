{#-
    Deal measures, one definition for every model that values a deal (int_deal_measures,
    int_measure_credits, int_commission_spifs, int_contest_entries) and for the checks
    of what the engine computes (int_plan_components, assert_assigned_plans_are_computed).
-#}

{#- The bookings measures: a deal's value from its amount or its line items. -#}
{% macro bookings_measures() -%}
    ('bookings_tcv', 'bookings_acv', 'bookings_first_year')
{%- endmacro %}

{#- Every measure a deal component is paid on today: bookings, margin, units and billing. -#}
{% macro computed_deal_measures() -%}
    ('bookings_tcv', 'bookings_acv', 'bookings_first_year', 'margin', 'units', 'invoiced_revenue', 'collected_cash')
{%- endmacro %}

{#- The measures that count things (a unit is a unit in every currency): a rate table pays
    an amount per unit, in the plan currency. -#}
{% macro count_measures() -%}
    ('units', 'activities')
{%- endmacro %}

{#- Annual contract value: the subscription amount over the term, for a year of it. -#}
{% macro annual_contract_value(recurring_amount, term_months) -%}
    {{ recurring_amount }} * 12 / {{ term_months }}
{%- endmacro %}

{#- First-year value: the subscription amount's first 12 months plus the one-time amount. -#}
{% macro first_year_value(recurring_amount, one_time_amount, term_months) -%}
    {{ recurring_amount }} * least({{ term_months }}, 12) / {{ term_months }} + {{ one_time_amount }}
{%- endmacro %}

{#- A deal's value in `measure` (a column or literal), read off an int_deal_measures row. -#}
{% macro deal_measure_value(measure, deal_measures) -%}
    case {{ measure }}
        when 'bookings_tcv' then {{ deal_measures }}.bookings_tcv
        when 'bookings_acv' then {{ deal_measures }}.bookings_acv
        when 'bookings_first_year' then {{ deal_measures }}.bookings_first_year
        when 'margin' then {{ deal_measures }}.margin
        when 'units' then {{ deal_measures }}.units
    end
{%- endmacro %}

{#- Why a deal cannot be measured in `measure` (a column or literal), read off an
    int_deal_measures row: its line_item_measure_problem for ACV and first-year value, its
    margin_problem for margin, no_line_items for units without line items; null when it
    can (the amount, TCV, always can). A credit on such a deal is held, never paid on a
    guess: int_measure_credits holds it, int_contest_entries holds the contest it is in. -#}
{% macro deal_measure_problem(measure, deal_measures) -%}
    case
        when {{ measure }} in ('bookings_acv', 'bookings_first_year') then {{ deal_measures }}.line_item_measure_problem
        when {{ measure }} = 'margin' then {{ deal_measures }}.margin_problem
        when {{ measure }} = 'units' and {{ deal_measures }}.units is null then 'no_line_items'
    end
{%- endmacro %}

{#- The event of a deal that makes `measure` count under `payment_trigger`
    (int_credit_events.credit_event). -#}
{% macro trigger_event(measure, payment_trigger) -%}
    case
        when {{ payment_trigger }} = 'booking' then 'booking'
        when {{ payment_trigger }} = 'invoice' then 'invoice'
        when {{ measure }} = 'invoiced_revenue' then 'invoice_paid'
        else 'payment'
    end
{%- endmacro %}

{#- What a deal's `measure` counts at one of its events (`events`: an int_credit_events
    row, with `deal_measures`: the deal's int_deal_measures row; `deal_currency` the
    deal's), in which currency, and why it cannot be measured (null when it can): the
    columns measure_amount, measure_currency, measure_problem. The deal's own problem in
    the measure comes first (deal_measure_problem), then a bookings or units measure at an
    invoice or payment in another currency than the deal's (no deal_share). -#}
{% macro event_measure_columns(measure, events, deal_measures, deal_currency) -%}
    case
            when {{ measure }} in ('invoiced_revenue', 'collected_cash') then {{ events }}.event_amount
            else {{ events }}.deal_share * {{ deal_measure_value(measure, deal_measures) }}
        end as measure_amount,
        case
            when {{ measure }} in ('invoiced_revenue', 'collected_cash') then {{ events }}.event_currency
            when {{ measure }} <> 'units' then {{ deal_currency }}
        end as measure_currency,
        coalesce(
            {{ deal_measure_problem(measure, deal_measures) }},
            case
                when {{ measure }} not in ('invoiced_revenue', 'collected_cash') and {{ events }}.deal_share is null
                    then 'event_currency_mismatch'
            end
        ) as measure_problem
{%- endmacro %}
