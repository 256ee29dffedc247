-- The commission lines a credit pays in its own month: its evaluation at that month
-- (int_commission_evaluations holds the maths). What later months of a cumulative
-- window add or take back on it is in int_commission_true_ups. The pay-line contract
-- first, then the evidence: the credit, what was measured at which event, the band,
-- rate, quota and attainment, the FX rates and the source rows.

{{ config(materialized='table', schema='pay_lines') }}

with evaluations as (
    select * from {{ ref('int_commission_evaluations') }}
),

final as (
    select
        {{ dbt.hash("credit_id || '|' || employee_id || '|' || plan_id || '|' || component_id || '|' || tier_label") }}
            as commission_line_id,
        'commission' as line_type,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        pay_period,
        period_start,
        commission_amount,
        pay_currency,
        credit_id as evidence_key,
        credit_id,
        plan_version,
        component_name,
        rate_table_type,
        tier_number,
        tier_label,
        tier_attainment_from,
        tier_attainment_to,
        rate,
        component_weight,
        target_incentive,
        target_incentive_currency,
        target_incentive_fx_rate,
        target_incentive_fx_date,
        unit_amount_fx_rate,
        unit_amount_fx_date,
        curve_attainment_from,
        curve_attainment_to,
        curve_payout_from,
        curve_payout_to,
        threshold_attainment,
        threshold_met,
        cap_attainment,
        quota_period,
        attainment_basis,
        cumulative_true_up,
        window_start,
        quota_amount,
        bookings_before,
        bookings_after,
        attainment_before,
        attainment_after,
        period_bookings,
        period_attainment,
        deal_credit_id,
        deal_close_date,
        measure,
        payment_trigger,
        credit_event,
        credit_event_id,
        measure_amount,
        measure_currency,
        opportunity_id,
        split_id,
        credit_type,
        rollup_from_employee_id,
        split_share,
        credit_date,
        deal_amount,
        deal_currency,
        fx_rate,
        credit_amount,
        credit_currency,
        payout_fx_rate,
        payout_fx_date,
        tier_base_amount,
        opportunity_row_id,
        split_row_id,
        quota_row_id,
        source_file,
        source_batch_id,
        source_line,
        event_row_id,
        event_source_file,
        event_source_line
    from evaluations
    where as_of_period_start = period_start
)

select * from final
