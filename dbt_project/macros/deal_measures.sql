{#-
    Deal measures, one definition for every model that values a deal (int_deal_measures,
    int_measure_credits, int_commission_spifs, int_commission_contests) and for the checks
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
