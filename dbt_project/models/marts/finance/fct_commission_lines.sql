-- Every line behind every payout, with the plan rule applied and the source rows it came
-- from: commission lines (one per credit, plan component and rate band or curve segment it touches), cap
-- lines (what a per-deal or per-period cap took back) and clawback lines (what a refund
-- or churn took back, in the period it was discovered) and true-up lines (what a later
-- month of a cumulative window adds to or takes back from its earlier credits). A payout
-- is the sum of its lines.

with commission_lines as (
    select * from {{ ref('int_commission_lines') }}
),

cap_lines as (
    select * from {{ ref('int_commission_caps') }}
),

clawback_lines as (
    select * from {{ ref('int_commission_clawbacks') }}
),

true_up_lines as (
    select * from {{ ref('int_commission_true_ups') }}
),

plan_versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

credits as (
    select * from {{ ref('int_credits') }}
),

components as (
    select * from {{ ref('int_plan_components') }}
),

commission as (
    select
        commission_line_id,
        'commission' as line_type,
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
        component_weight,
        target_incentive,
        target_incentive_currency,
        target_incentive_fx_rate,
        target_incentive_fx_date,
        curve_attainment_from,
        curve_attainment_to,
        curve_payout_from,
        curve_payout_to,
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
        null::numeric as amount_before_cap,
        null::numeric as cap_amount,
        null::text as cap_currency,
        null::numeric as cap_fx_rate,
        null::date as cap_fx_date,
        null::numeric as cap_in_pay_currency,
        null::text as clawback_event,
        null::text as credit_note_id,
        null::numeric as clawback_base,
        null::numeric as clawback_share,
        null::numeric as earned_to_date,
        null::numeric as paid_to_date,
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
    from commission_lines
),

caps as (
    select
        cap_lines.commission_line_id,
        cap_lines.line_type,
        cap_lines.credit_id,
        cap_lines.employee_id,
        cap_lines.pay_period,
        cap_lines.period_start,
        cap_lines.plan_id,
        cap_lines.plan_version_number,
        components.plan_version,
        cap_lines.component_id,
        components.component_name,
        components.rate_table_type,
        null::integer as tier_number,
        cap_lines.line_type as tier_label,
        null::numeric as tier_attainment_from,
        null::numeric as tier_attainment_to,
        null::numeric as rate,
        null::numeric as component_weight,
        null::numeric as target_incentive,
        null::text as target_incentive_currency,
        null::numeric as target_incentive_fx_rate,
        null::date as target_incentive_fx_date,
        null::numeric as curve_attainment_from,
        null::numeric as curve_attainment_to,
        null::numeric as curve_payout_from,
        null::numeric as curve_payout_to,
        components.threshold_attainment,
        true as threshold_met,
        components.cap_attainment,
        null::numeric as quota,
        null::numeric as bookings_before,
        null::numeric as bookings_after,
        null::numeric as attainment_before,
        null::numeric as attainment_after,
        null::numeric as period_bookings,
        null::numeric as period_attainment,
        cap_lines.amount_before_cap,
        cap_lines.cap_amount,
        cap_lines.cap_currency,
        cap_lines.cap_fx_rate,
        cap_lines.cap_fx_date,
        cap_lines.cap_in_pay_currency,
        null::text as clawback_event,
        null::text as credit_note_id,
        null::numeric as clawback_base,
        null::numeric as clawback_share,
        null::numeric as earned_to_date,
        null::numeric as paid_to_date,
        credits.opportunity_id,
        credits.split_id,
        credits.split_share,
        credits.credit_date,
        credits.deal_amount,
        credits.deal_currency,
        credits.fx_rate,
        credits.credit_amount,
        cap_lines.pay_currency,
        0::numeric as tier_base_amount,
        cap_lines.commission_amount,
        credits.opportunity_row_id,
        credits.split_row_id,
        credits.quota_row_id,
        credits.source_file,
        credits.source_batch_id,
        credits.source_line
    from cap_lines
    inner join components
        on components.plan_id = cap_lines.plan_id
        and components.version_number = cap_lines.plan_version_number
        and components.component_id = cap_lines.component_id
    left join credits
        on credits.credit_id = cap_lines.credit_id
),

clawbacks as (
    select
        clawback_lines.commission_line_id,
        clawback_lines.line_type,
        clawback_lines.credit_id,
        clawback_lines.employee_id,
        clawback_lines.pay_period,
        clawback_lines.period_start,
        clawback_lines.plan_id,
        clawback_lines.plan_version_number,
        plan_versions.plan_version,
        null::text as component_id,
        null::text as component_name,
        null::text as rate_table_type,
        null::integer as tier_number,
        'clawback' as tier_label,
        null::numeric as tier_attainment_from,
        null::numeric as tier_attainment_to,
        null::numeric as rate,
        null::numeric as component_weight,
        null::numeric as target_incentive,
        null::text as target_incentive_currency,
        null::numeric as target_incentive_fx_rate,
        null::date as target_incentive_fx_date,
        null::numeric as curve_attainment_from,
        null::numeric as curve_attainment_to,
        null::numeric as curve_payout_from,
        null::numeric as curve_payout_to,
        null::numeric as threshold_attainment,
        true as threshold_met,
        null::numeric as cap_attainment,
        null::numeric as quota,
        null::numeric as bookings_before,
        null::numeric as bookings_after,
        null::numeric as attainment_before,
        null::numeric as attainment_after,
        null::numeric as period_bookings,
        null::numeric as period_attainment,
        null::numeric as amount_before_cap,
        null::numeric as cap_amount,
        null::text as cap_currency,
        null::numeric as cap_fx_rate,
        null::date as cap_fx_date,
        null::numeric as cap_in_pay_currency,
        clawback_lines.clawback_event,
        clawback_lines.credit_note_id,
        clawback_lines.commission_paid as clawback_base,
        clawback_lines.clawback_share,
        null::numeric as earned_to_date,
        null::numeric as paid_to_date,
        credits.opportunity_id,
        credits.split_id,
        credits.split_share,
        credits.credit_date,
        credits.deal_amount,
        credits.deal_currency,
        credits.fx_rate,
        credits.credit_amount,
        clawback_lines.pay_currency,
        0::numeric as tier_base_amount,
        clawback_lines.commission_amount,
        credits.opportunity_row_id,
        credits.split_row_id,
        credits.quota_row_id,
        -- the evidence of a clawback is the credit note
        clawback_lines.source_file,
        clawback_lines.source_batch_id,
        clawback_lines.source_line
    from clawback_lines
    inner join plan_versions
        on plan_versions.plan_id = clawback_lines.plan_id
        and plan_versions.version_number = clawback_lines.plan_version_number
    inner join credits
        on credits.credit_id = clawback_lines.credit_id
),

true_ups as (
    select
        true_up_lines.commission_line_id,
        true_up_lines.line_type,
        null::text as credit_id,
        true_up_lines.employee_id,
        true_up_lines.pay_period,
        true_up_lines.period_start,
        true_up_lines.plan_id,
        true_up_lines.plan_version_number,
        components.plan_version,
        true_up_lines.component_id,
        components.component_name,
        components.rate_table_type,
        null::integer as tier_number,
        'true_up' as tier_label,
        null::numeric as tier_attainment_from,
        null::numeric as tier_attainment_to,
        null::numeric as rate,
        null::numeric as component_weight,
        null::numeric as target_incentive,
        null::text as target_incentive_currency,
        null::numeric as target_incentive_fx_rate,
        null::date as target_incentive_fx_date,
        null::numeric as curve_attainment_from,
        null::numeric as curve_attainment_to,
        null::numeric as curve_payout_from,
        null::numeric as curve_payout_to,
        components.threshold_attainment,
        true as threshold_met,
        components.cap_attainment,
        true_up_lines.quota_amount as quota,
        null::numeric as bookings_before,
        null::numeric as bookings_after,
        null::numeric as attainment_before,
        null::numeric as attainment_after,
        true_up_lines.period_bookings,
        true_up_lines.period_attainment,
        null::numeric as amount_before_cap,
        null::numeric as cap_amount,
        null::text as cap_currency,
        null::numeric as cap_fx_rate,
        null::date as cap_fx_date,
        null::numeric as cap_in_pay_currency,
        null::text as clawback_event,
        null::text as credit_note_id,
        null::numeric as clawback_base,
        null::numeric as clawback_share,
        true_up_lines.earned_to_date,
        true_up_lines.paid_to_date,
        null::text as opportunity_id,
        null::text as split_id,
        null::numeric as split_share,
        null::date as credit_date,
        null::numeric as deal_amount,
        null::text as deal_currency,
        null::numeric as fx_rate,
        null::numeric as credit_amount,
        true_up_lines.pay_currency,
        0::numeric as tier_base_amount,
        true_up_lines.commission_amount,
        null::bigint as opportunity_row_id,
        null::bigint as split_row_id,
        null::bigint as quota_row_id,
        null::text as source_file,
        null::text as source_batch_id,
        null::integer as source_line
    from true_up_lines
    inner join components
        on components.plan_id = true_up_lines.plan_id
        and components.version_number = true_up_lines.plan_version_number
        and components.component_id = true_up_lines.component_id
),

final as (
    select * from commission
    union all
    select * from caps
    union all
    select * from clawbacks
    union all
    select * from true_ups
)

select * from final
