-- One row per credit, plan component and rate band it touches: the explainable detail
-- behind every payout, with the plan rule applied and the source rows it came from.

with lines as (
    select * from {{ ref('int_commission_lines') }}
),

final as (
    select
        commission_line_id,
        credit_id,
        employee_id,
        pay_period,
        period_start,
        plan_id,
        plan_version_number,
        plan_version,
        component_id,
        component_name,
        rate_table_type,
        tier_number,
        tier_label,
        tier_attainment_from,
        tier_attainment_to,
        rate,
        threshold_attainment,
        threshold_met,
        cap_attainment,
        quota_amount as quota,
        bookings_before,
        bookings_after,
        attainment_before,
        attainment_after,
        period_bookings,
        period_attainment,
        opportunity_id,
        split_id,
        split_share,
        credit_date,
        deal_amount,
        deal_currency,
        fx_rate,
        credit_amount,
        pay_currency,
        tier_base_amount,
        commission_amount,
        opportunity_row_id,
        split_row_id,
        quota_row_id,
        source_file,
        source_batch_id,
        source_line
    from lines
)

select * from final
