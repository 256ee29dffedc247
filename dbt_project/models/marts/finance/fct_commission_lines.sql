-- One row per credit and plan tier it touches: the explainable detail behind every
-- payout, with the rule applied and the source rows it came from.

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
        tier_number,
        tier_label,
        tier_attainment_from,
        tier_attainment_to,
        rate,
        quota_amount as quota,
        bookings_before,
        bookings_after,
        attainment_before,
        attainment_after,
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
        source_file,
        source_batch_id,
        source_line
    from lines
)

select * from final
