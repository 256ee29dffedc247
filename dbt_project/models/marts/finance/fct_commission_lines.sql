-- Every line behind every payout, with the plan rule applied and the source rows it came
-- from: commission lines (one per credit, plan component and rate band or curve segment it touches), cap
-- lines (what a per-deal or per-period cap took back) and clawback lines (what a refund
-- or churn took back, in the period it was discovered) and true-up lines (what a later
-- month of a cumulative window adds to or takes back from its earlier credits), draw
-- lines (a draw's top-up, advance or recovery), bonus, contest prize, SPIF and MBO lines. A
-- payout is the sum of its lines.

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

draw_lines as (
    select * from {{ ref('int_commission_draws') }}
),

bonus_lines as (
    select * from {{ ref('int_commission_bonuses') }}
),

contest_lines as (
    select * from {{ ref('int_commission_contests') }}
),

spif_lines as (
    select * from {{ ref('int_commission_spifs') }}
),

mbo_lines as (
    select * from {{ ref('int_commission_mbo') }}
    where is_payable
),

plan_versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

credits as (
    select * from {{ ref('int_credits') }}
),

measure_credits as (
    select * from {{ ref('int_measure_credits') }}
),

components as (
    select * from {{ ref('int_plan_components') }}
),

commission as (
    select
        {{ commission_line_columns({
            'line_type': "'commission'",
            'credit_id': 'credit_id',
            'plan_version': 'plan_version',
            'component_id': 'component_id',
            'component_name': 'component_name',
            'rate_table_type': 'rate_table_type',
            'tier_number': 'tier_number',
            'tier_label': 'tier_label',
            'tier_attainment_from': 'tier_attainment_from',
            'tier_attainment_to': 'tier_attainment_to',
            'rate_table_per': 'rate_table_per',
            'tier_amount_from': 'tier_amount_from',
            'tier_amount_to': 'tier_amount_to',
            'tier_amount_currency': 'tier_amount_currency',
            'tier_amount_fx_rate': 'tier_amount_fx_rate',
            'tier_amount_fx_date': 'tier_amount_fx_date',
            'rate': 'rate',
            'component_weight': 'component_weight',
            'target_incentive': 'target_incentive',
            'target_incentive_currency': 'target_incentive_currency',
            'target_incentive_fx_rate': 'target_incentive_fx_rate',
            'target_incentive_fx_date': 'target_incentive_fx_date',
            'unit_amount_fx_rate': 'unit_amount_fx_rate',
            'unit_amount_fx_date': 'unit_amount_fx_date',
            'curve_attainment_from': 'curve_attainment_from',
            'curve_attainment_to': 'curve_attainment_to',
            'curve_payout_from': 'curve_payout_from',
            'curve_payout_to': 'curve_payout_to',
            'threshold_attainment': 'threshold_attainment',
            'threshold_met': 'threshold_met',
            'cap_attainment': 'cap_attainment',
            'quota': 'quota_amount',
            'bookings_before': 'bookings_before',
            'bookings_after': 'bookings_after',
            'deal_measure_before': 'deal_measure_before',
            'deal_measure_after': 'deal_measure_after',
            'attainment_before': 'attainment_before',
            'attainment_after': 'attainment_after',
            'period_bookings': 'period_bookings',
            'period_attainment': 'period_attainment',
            'payout_fx_rate': 'payout_fx_rate',
            'payout_fx_date': 'payout_fx_date',
            'tier_base_amount': 'tier_base_amount'
        }, 'commission_lines', credit='commission_lines', measured='commission_lines') }}
    from commission_lines
),

caps as (
    select
        {{ commission_line_columns({
            'credit_id': 'cap_lines.credit_id',
            'plan_version': 'components.plan_version',
            'component_id': 'cap_lines.component_id',
            'component_name': 'components.component_name',
            'rate_table_type': 'components.rate_table_type',
            'tier_label': 'cap_lines.line_type',
            'threshold_attainment': 'components.threshold_attainment',
            'threshold_met': 'true',
            'cap_attainment': 'components.cap_attainment',
            'amount_before_cap': 'cap_lines.amount_before_cap',
            'cap_amount': 'cap_lines.cap_amount',
            'cap_currency': 'cap_lines.cap_currency',
            'cap_fx_rate': 'cap_lines.cap_fx_rate',
            'cap_fx_date': 'cap_lines.cap_fx_date',
            'cap_in_pay_currency': 'cap_lines.cap_in_pay_currency',
            'tier_base_amount': '0::numeric'
        }, 'cap_lines', credit='measure_credits', measured='measure_credits') }}
    from cap_lines
    inner join components
        on components.plan_id = cap_lines.plan_id
        and components.version_number = cap_lines.plan_version_number
        and components.component_id = cap_lines.component_id
    left join measure_credits
        on measure_credits.credit_id = cap_lines.credit_id
),

clawbacks as (
    -- the source row of a clawback line is the credit note, or the unpaid invoice: the
    -- evidence it happened
    select
        {{ commission_line_columns({
            'credit_id': 'clawback_lines.credit_id',
            'plan_version': 'plan_versions.plan_version',
            'tier_label': "'clawback'",
            'threshold_met': 'true',
            'clawback_event': 'clawback_lines.clawback_event',
            'credit_note_id': 'clawback_lines.credit_note_id',
            'invoice_id': 'clawback_lines.invoice_id',
            'credit_event': "case when clawback_lines.clawback_event = 'late_payment' then 'payment' end",
            'credit_event_id': "case when clawback_lines.clawback_event = 'late_payment' then clawback_lines.clawback_event_id end",
            'clawback_base': 'clawback_lines.commission_paid',
            'clawback_share': 'clawback_lines.clawback_share',
            'tier_base_amount': '0::numeric',
            'source_file': 'clawback_lines.source_file',
            'source_batch_id': 'clawback_lines.source_batch_id',
            'source_line': 'clawback_lines.source_line'
        }, 'clawback_lines', credit='credits') }}
    from clawback_lines
    inner join plan_versions
        on plan_versions.plan_id = clawback_lines.plan_id
        and plan_versions.version_number = clawback_lines.plan_version_number
    inner join credits
        on credits.credit_id = clawback_lines.credit_id
),

true_ups as (
    select
        {{ commission_line_columns({
            'plan_version': 'components.plan_version',
            'component_id': 'true_up_lines.component_id',
            'component_name': 'components.component_name',
            'rate_table_type': 'components.rate_table_type',
            'tier_label': "'true_up'",
            'threshold_attainment': 'components.threshold_attainment',
            'threshold_met': 'true',
            'cap_attainment': 'components.cap_attainment',
            'quota': 'true_up_lines.quota_amount',
            'period_bookings': 'true_up_lines.period_bookings',
            'period_attainment': 'true_up_lines.period_attainment',
            'earned_to_date': 'true_up_lines.earned_to_date',
            'paid_to_date': 'true_up_lines.paid_to_date',
            'tier_base_amount': '0::numeric'
        }, 'true_up_lines') }}
    from true_up_lines
    inner join components
        on components.plan_id = true_up_lines.plan_id
        and components.version_number = true_up_lines.plan_version_number
        and components.component_id = true_up_lines.component_id
),

draws as (
    select
        {{ commission_line_columns({
            'plan_version': 'plan_versions.plan_version',
            'tier_label': "'draw'",
            'threshold_met': 'true',
            'draw_type': 'draw_lines.draw_type',
            'draw_period': 'draw_lines.draw_period',
            'draw_amount': 'draw_lines.draw_amount',
            'draw_proration_share': 'draw_lines.draw_proration_share',
            'draw_currency': 'draw_lines.draw_currency',
            'draw_in_pay_currency': 'draw_lines.draw_in_pay_currency',
            'draw_fx_rate': 'draw_lines.draw_fx_rate',
            'draw_fx_date': 'draw_lines.draw_fx_date',
            'commission_before_draw': 'draw_lines.commission_before_draw',
            'draw_balance': 'draw_lines.draw_balance',
            'tier_base_amount': '0::numeric'
        }, 'draw_lines') }}
    from draw_lines
    inner join plan_versions
        on plan_versions.plan_id = draw_lines.plan_id
        and plan_versions.version_number = draw_lines.plan_version_number
),

bonuses as (
    select
        {{ commission_line_columns({
            'plan_version': 'components.plan_version',
            'component_id': 'bonus_lines.component_id',
            'component_name': 'components.component_name',
            'rate_table_type': 'components.rate_table_type',
            'tier_label': "'bonus'",
            'threshold_attainment': 'bonus_lines.attainment_at_least',
            'threshold_met': 'true',
            'quota': 'bonus_lines.period_quota',
            'period_bookings': 'bonus_lines.measure_to_date',
            'period_attainment': 'bonus_lines.attainment_reached',
            'incentive_id': 'bonus_lines.incentive_id',
            'incentive_name': 'bonus_lines.incentive_name',
            'incentive_amount': 'bonus_lines.incentive_amount',
            'incentive_currency': 'bonus_lines.incentive_currency',
            'incentive_fx_rate': 'bonus_lines.incentive_fx_rate',
            'incentive_fx_date': 'bonus_lines.incentive_fx_date',
            'tier_base_amount': '0::numeric'
        }, 'bonus_lines') }}
    from bonus_lines
    inner join components
        on components.plan_id = bonus_lines.plan_id
        and components.version_number = bonus_lines.plan_version_number
        and components.component_id = bonus_lines.component_id
),

mbos as (
    select
        {{ commission_line_columns({
            'plan_version': 'mbo_lines.plan_version',
            'component_id': 'mbo_lines.component_id',
            'component_name': 'mbo_lines.component_name',
            'rate_table_type': "'curve'",
            'tier_label': "'mbo'",
            'rate': 'mbo_lines.curve_value',
            'component_weight': 'mbo_lines.component_weight',
            'target_incentive': 'mbo_lines.target_incentive',
            'target_incentive_currency': 'mbo_lines.target_incentive_currency',
            'target_incentive_fx_rate': 'mbo_lines.target_incentive_fx_rate',
            'target_incentive_fx_date': 'mbo_lines.target_incentive_fx_date',
            'target_incentive_months': 'mbo_lines.target_incentive_months',
            'threshold_attainment': 'mbo_lines.threshold_attainment',
            'threshold_met': 'mbo_lines.threshold_met',
            'cap_attainment': 'mbo_lines.cap_attainment',
            'period_attainment': 'mbo_lines.score',
            'measure': "'mbo_score'",
            'measure_amount': 'mbo_lines.score',
            'tier_base_amount': '0::numeric',
            'source_file': 'mbo_lines.source_file',
            'source_batch_id': 'mbo_lines.source_batch_id',
            'source_line': 'mbo_lines.source_line'
        }, 'mbo_lines') }}
    from mbo_lines
),

contests as (
    select
        {{ commission_line_columns({
            'plan_version': 'plan_versions.plan_version',
            'tier_number': 'contest_lines.contest_rank',
            'tier_label': "'contest'",
            'threshold_met': 'true',
            'quota': 'contest_lines.contest_quota',
            'period_bookings': 'contest_lines.bookings',
            'incentive_id': 'contest_lines.incentive_id',
            'incentive_name': 'contest_lines.incentive_name',
            'incentive_amount': 'contest_lines.incentive_amount',
            'incentive_currency': 'contest_lines.incentive_currency',
            'incentive_fx_rate': 'contest_lines.incentive_fx_rate',
            'incentive_fx_date': 'contest_lines.incentive_fx_date',
            'tier_base_amount': '0::numeric'
        }, 'contest_lines') }}
    from contest_lines
    inner join plan_versions
        on plan_versions.plan_id = contest_lines.plan_id
        and plan_versions.version_number = contest_lines.plan_version_number
),

spifs as (
    -- a SPIF's line names the deal credit (or activity) it pays on, its rate and what it measured
    select
        {{ commission_line_columns({
            'credit_id': 'credit_id',
            'plan_version': 'plan_version',
            'tier_label': "'spif'",
            'quota_row_id': 'null::bigint',
            'rate': 'rate',
            'threshold_met': 'true',
            'incentive_id': 'incentive_id',
            'incentive_name': 'incentive_name',
            'payout_fx_rate': 'payout_fx_rate',
            'payout_fx_date': 'payout_fx_date',
            'tier_base_amount': '0::numeric'
        }, 'spif_lines', credit='spif_lines', measured='spif_lines') }}
    from spif_lines
),

final as (
    select * from commission
    union all
    select * from caps
    union all
    select * from clawbacks
    union all
    select * from true_ups
    union all
    select * from draws
    union all
    select * from bonuses
    union all
    select * from contests
    union all
    select * from spifs
    union all
    select * from mbos
)

select * from final
