-- Credits that earn no commission, with the reason, so nothing is dropped silently.
-- Deal credits (int_credits, at the close date): unknown_user, not_employed, no_plan,
-- no_plan_version, no_quota, quota_currency_mismatch, missing_fx_rate. Measured credits
-- of a commissionable deal credit (int_measure_credits, at the event of the component's
-- payment trigger): no_deal_component, no_line_items, unknown_product_family,
-- line_items_differ_from_amount, no_term, no_cost_rate, event_currency_mismatch, not_employed,
-- no_quota_on_plan, missing_fx_rate. Activities (int_activity_credits, at the activity
-- date): not_employed, no_quota_on_plan. Each list is checked in its order; the first that
-- applies is reported.

with deal_credits as (
    select * from {{ ref('int_credits') }}
    where not is_commissionable
),

measure_credits as (
    select * from {{ ref('int_measure_credits') }}
    where not is_commissionable
),

activity_credits as (
    -- activities a component counts are measure credits already; these are the ones only
    -- a SPIF counts
    select * from {{ ref('int_activity_credits') }}
    where not is_commissionable
        and credit_id not in (select measure_credits.credit_id from {{ ref('int_measure_credits') }} as measure_credits)
),

held_deals as (
    select
        credit_id,
        non_commissionable_reason as reason,
        'booking' as credit_event,
        null::text as credit_event_id,
        null::text as measure,
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
        quota_currency,
        credit_currency,
        opportunity_row_id,
        split_row_id,
        source_batch_id,
        source_file,
        source_line
    from deal_credits
),

held_measures as (
    -- the source row is the event's: the invoice or payment (the deal for a booking)
    select
        credit_id,
        non_commissionable_reason as reason,
        credit_event,
        credit_event_id,
        measure,
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
        quota_currency,
        credit_currency,
        opportunity_row_id,
        split_row_id,
        source_batch_id,
        event_source_file as source_file,
        event_source_line as source_line
    from measure_credits
),

held_activities as (
    select
        credit_id,
        non_commissionable_reason as reason,
        'activity' as credit_event,
        activity_id as credit_event_id,
        'activities' as measure,
        null::text as opportunity_id,
        null::text as split_id,
        credited_user_id,
        employee_id,
        credit_date,
        pay_period,
        null::numeric as deal_amount,
        null::text as deal_currency,
        100::numeric as split_percent,
        pay_currency,
        plan_id,
        quota_amount,
        quota_currency,
        null::text as credit_currency,
        null::bigint as opportunity_row_id,
        null::bigint as split_row_id,
        source_batch_id,
        source_file,
        source_line
    from activity_credits
),

final as (
    select * from held_deals
    union all
    select * from held_measures
    union all
    select * from held_activities
)

select * from final
