-- Closed Won credits that earn no commission, with the reason, so nothing is dropped
-- silently: unknown_user, not_employed, no_plan, no_plan_version, no_quota, quota_currency_mismatch,
-- missing_fx_rate (checked in that order; the first that applies is reported).

with credits as (
    select * from {{ ref('int_credits') }}
),

final as (
    select
        credit_id,
        non_commissionable_reason as reason,
        opportunity_id,
        split_id,
        credited_user_id,
        employee_id,
        credit_date,
        pay_period,
        deal_amount,
        deal_currency,
        split_percent,
        pay_currency,
        plan_id,
        quota_amount,
        opportunity_row_id,
        split_row_id,
        source_batch_id,
        source_file,
        source_line
    from credits
    where not is_commissionable
)

select * from final
