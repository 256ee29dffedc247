{#-
    The columns of finance.fct_commission_lines, in order, with their types. Every kind of
    line (commission, caps, clawbacks, true-ups, draws, bonuses, prizes, SPIFs) selects
    through commission_line_columns(values, lines, credit, measured), a mapping of column
    -> SQL expression; the common keys come from `lines`, the deal credit's and the
    measured credit's columns from the CTEs named `credit` and `measured`, each as it is
    named, and the columns a kind does not have are typed nulls, so the union of kinds
    stays aligned.
-#}
{% macro commission_line_column_types() -%}
    {{ return([
        ('commission_line_id', 'text'),
        ('line_type', 'text'),
        ('credit_id', 'text'),
        ('employee_id', 'text'),
        ('pay_period', 'text'),
        ('period_start', 'date'),
        ('plan_id', 'text'),
        ('plan_version_number', 'integer'),
        ('plan_version', 'text'),
        ('component_id', 'text'),
        ('component_name', 'text'),
        ('rate_table_type', 'text'),
        ('tier_number', 'integer'),
        ('tier_label', 'text'),
        ('tier_attainment_from', 'numeric'),
        ('tier_attainment_to', 'numeric'),
        ('rate_table_per', 'text'),
        ('tier_amount_from', 'numeric'),
        ('tier_amount_to', 'numeric'),
        ('tier_amount_currency', 'text'),
        ('tier_amount_fx_rate', 'numeric'),
        ('tier_amount_fx_date', 'date'),
        ('rate', 'numeric'),
        ('component_weight', 'numeric'),
        ('target_incentive', 'numeric'),
        ('target_incentive_currency', 'text'),
        ('target_incentive_fx_rate', 'numeric'),
        ('target_incentive_fx_date', 'date'),
        ('target_incentive_months', 'numeric'),
        ('unit_amount_fx_rate', 'numeric'),
        ('unit_amount_fx_date', 'date'),
        ('curve_attainment_from', 'numeric'),
        ('curve_attainment_to', 'numeric'),
        ('curve_payout_from', 'numeric'),
        ('curve_payout_to', 'numeric'),
        ('threshold_attainment', 'numeric'),
        ('threshold_met', 'boolean'),
        ('cap_attainment', 'numeric'),
        ('quota', 'numeric'),
        ('bookings_before', 'numeric'),
        ('bookings_after', 'numeric'),
        ('deal_measure_before', 'numeric'),
        ('deal_measure_after', 'numeric'),
        ('attainment_before', 'numeric'),
        ('attainment_after', 'numeric'),
        ('period_bookings', 'numeric'),
        ('period_attainment', 'numeric'),
        ('amount_before_cap', 'numeric'),
        ('cap_amount', 'numeric'),
        ('cap_currency', 'text'),
        ('cap_fx_rate', 'numeric'),
        ('cap_fx_date', 'date'),
        ('cap_in_pay_currency', 'numeric'),
        ('clawback_event', 'text'),
        ('credit_note_id', 'text'),
        ('invoice_id', 'text'),
        ('clawback_base', 'numeric'),
        ('clawback_share', 'numeric'),
        ('earned_to_date', 'numeric'),
        ('paid_to_date', 'numeric'),
        ('draw_type', 'text'),
        ('draw_period', 'text'),
        ('draw_amount', 'numeric'),
        ('draw_proration_share', 'numeric'),
        ('draw_currency', 'text'),
        ('draw_in_pay_currency', 'numeric'),
        ('draw_fx_rate', 'numeric'),
        ('draw_fx_date', 'date'),
        ('commission_before_draw', 'numeric'),
        ('draw_balance', 'numeric'),
        ('incentive_id', 'text'),
        ('incentive_name', 'text'),
        ('incentive_amount', 'numeric'),
        ('incentive_currency', 'text'),
        ('incentive_fx_rate', 'numeric'),
        ('incentive_fx_date', 'date'),
        ('measure', 'text'),
        ('payment_trigger', 'text'),
        ('credit_event', 'text'),
        ('credit_event_id', 'text'),
        ('measure_amount', 'numeric'),
        ('measure_currency', 'text'),
        ('opportunity_id', 'text'),
        ('split_id', 'text'),
        ('credit_type', 'text'),
        ('rollup_from_employee_id', 'text'),
        ('split_share', 'numeric'),
        ('credit_date', 'date'),
        ('deal_amount', 'numeric'),
        ('deal_currency', 'text'),
        ('fx_rate', 'numeric'),
        ('credit_amount', 'numeric'),
        ('credit_currency', 'text'),
        ('payout_fx_rate', 'numeric'),
        ('payout_fx_date', 'date'),
        ('pay_currency', 'text'),
        ('tier_base_amount', 'numeric'),
        ('commission_amount', 'numeric'),
        ('opportunity_row_id', 'bigint'),
        ('split_row_id', 'bigint'),
        ('quota_row_id', 'bigint'),
        ('source_file', 'text'),
        ('source_batch_id', 'text'),
        ('source_line', 'integer'),
        ('event_row_id', 'bigint'),
        ('event_source_file', 'text'),
        ('event_source_line', 'integer')
    ]) }}
{%- endmacro %}

{#- The columns every kind of line carries under its own name; with `lines` (the CTE the
    kind reads) they need no mapping. -#}
{% macro commission_line_keys() -%}
    {{ return(['commission_line_id', 'line_type', 'employee_id', 'pay_period', 'period_start', 'plan_id',
               'plan_version_number', 'pay_currency', 'commission_amount']) }}
{%- endmacro %}

{#- The columns of the deal credit a line is about, under their own names in int_credits,
    int_measure_credits, int_commission_lines and int_commission_spifs. -#}
{% macro commission_line_credit_keys() -%}
    {{ return(['opportunity_id', 'split_id', 'credit_type', 'rollup_from_employee_id', 'split_share', 'credit_date',
               'deal_amount', 'deal_currency',
               'fx_rate', 'credit_amount', 'credit_currency', 'opportunity_row_id', 'split_row_id', 'quota_row_id',
               'source_file', 'source_batch_id', 'source_line']) }}
{%- endmacro %}

{#- What a measured credit's component measured, and at which event (int_measure_credits). -#}
{% macro commission_line_measure_keys() -%}
    {{ return(['measure', 'payment_trigger', 'credit_event', 'credit_event_id', 'measure_amount',
               'measure_currency', 'event_row_id', 'event_source_file', 'event_source_line']) }}
{%- endmacro %}

{#- `values` maps a column to its SQL expression and wins; otherwise the common keys come
    from `lines`, the deal credit's columns from `credit` and the measured credit's from
    `measured` (CTE names), each under its own name; every other column is a typed null. -#}
{% macro commission_line_columns(values, lines=none, credit=none, measured=none) -%}
    {%- for name, type in commission_line_column_types() %}
        {%- if name in values -%}
            {%- set expression = values[name] -%}
        {%- elif lines is not none and name in commission_line_keys() -%}
            {%- set expression = lines ~ '.' ~ name -%}
        {%- elif credit is not none and name in commission_line_credit_keys() -%}
            {%- set expression = credit ~ '.' ~ name -%}
        {%- elif measured is not none and name in commission_line_measure_keys() -%}
            {%- set expression = measured ~ '.' ~ name -%}
        {%- else -%}
            {%- set expression = 'null::' ~ type -%}
        {%- endif %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
