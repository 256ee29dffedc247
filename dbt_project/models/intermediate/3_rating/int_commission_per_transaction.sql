-- Per-transaction rating (rate_table_per transaction): a graduated or retroactive table
-- whose tiers are amounts of one deal credit rates each deal credit on its own amount,
-- apart from the month's other credits and from the quota (there is no attainment here).
-- A deal credit's events (invoices, payments) stack within the deal in date order
-- (deal_measure_before / _after); the tiers' amounts (plan currency) convert to the
-- credit's currency once per deal, at its close date (or its month's last day:
-- fx_rate_date), like a per-deal cap (tier_amount_fx_rate; 1 for units and for credits in
-- the plan currency). A band is [amount_from, amount_to):
--   graduated:   the part of the deal credit inside each band earns that band's rate (a
--                zero credit touches no band: it is explained by the band it sits in);
--   retroactive: the credit earns the rate of the band its amount falls in (a deal on a
--                tier's `to` is in the next tier; booking trigger only).
-- Units earn the band's amount per unit (plan currency) converted to the pay currency
-- (unit_amount_fx_rate); money earns in the credit currency and converts to the pay
-- currency at the credit's payout_fx_rate. Plan validation refuses thresholds, attainment
-- caps, curves and true-ups on such tables; money caps apply to its lines (line_type
-- commission, like every line rated from a credit). Nothing is rounded here.

{{ config(materialized='table', schema='pay_lines') }}

with credits as (
    select * from {{ ref('int_measure_credits') }}
    where is_commissionable
),

components as (
    select * from {{ ref('int_plan_components') }}
    where is_computed
        and rate_table_per = 'transaction'
),

bands as (
    select * from {{ ref('int_plan_rate_bands') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

component_credits as (
    select
        credits.*,
        components.component_id,
        components.component_name,
        components.rate_table_type,
        components.rate_table_per,
        components.plan_currency,
        {{ plan_fx_date('components.fx_rate_date', 'credits.credit_date') }} as plan_fx_date,
        {{ plan_fx_date('components.fx_rate_date', 'credits.deal_close_date') }} as deal_fx_date
    from credits
    inner join components
        on {{ component_rates_credit('credits', 'components') }}
),

with_fx as (
    -- a unit's amount converts to the pay currency; the tiers' amounts to the credit's
    -- currency, once per deal at its close
    select
        component_credits.*,
        case
            when component_credits.measure in {{ count_measures() }}
                then {{ fx_rate_between(
                    'to_pay_fx', 'component_credits.plan_currency', 'component_credits.pay_currency'
                ) }}
        end as unit_amount_fx_rate,
        case
            when component_credits.measure not in {{ count_measures() }} then component_credits.payout_fx_rate
        end as line_payout_fx_rate,
        case
            when component_credits.measure in {{ count_measures() }} then 1::numeric
            else {{ fx_rate_between(
                'tier_fx', 'component_credits.plan_currency', 'component_credits.credit_currency'
            ) }}
        end as tier_amount_fx_rate
    from component_credits
    {{ fx_rate_joins(
        'to_pay_fx', 'component_credits.plan_currency', 'component_credits.pay_currency',
        'component_credits.plan_fx_date'
    ) }}
    {{ fx_rate_joins(
        'tier_fx', 'component_credits.plan_currency', 'component_credits.credit_currency',
        'component_credits.deal_fx_date'
    ) }}
),

deal_stacked as (
    -- the deal credit's measure to date, its events in date order
    select
        with_fx.*,
        sum(with_fx.credit_amount) over (
            partition by
                with_fx.employee_id, with_fx.plan_id, with_fx.plan_version_number, with_fx.component_id,
                with_fx.deal_credit_id
            order by with_fx.credit_date, with_fx.credit_event_id nulls first, with_fx.credit_id
            rows between unbounded preceding and current row
        ) as deal_cum_after
    from with_fx
),

deal_before as (
    select
        deal_stacked.*,
        deal_stacked.deal_cum_after - deal_stacked.credit_amount as deal_cum_before
    from deal_stacked
),

deal_touched as (
    -- the bands of the deal credit's own amount it touches, [amount_from, amount_to) x
    -- tier_amount_fx_rate in the credit's currency
    select
        deal_before.*,
        bands.band_number,
        bands.band_label,
        bands.amount_from as band_amount_from,
        bands.amount_to as band_amount_to,
        case
            -- units: the amount per unit (plan currency) in the pay currency
            when deal_before.measure in {{ count_measures() }} then bands.rate * deal_before.unit_amount_fx_rate
            else bands.rate
        end as rate,
        case
            when deal_before.rate_table_type = 'retroactive' then deal_before.credit_amount
            else greatest(
                0::numeric,
                least(
                    deal_before.deal_cum_after,
                    coalesce(bands.amount_to * deal_before.tier_amount_fx_rate, deal_before.deal_cum_after)
                )
                - greatest(deal_before.deal_cum_before, bands.amount_from * deal_before.tier_amount_fx_rate)
            )
        end as base_amount
    from deal_before
    inner join bands
        on bands.plan_id = deal_before.plan_id
        and bands.version_number = deal_before.plan_version_number
        and bands.component_id = deal_before.component_id
        and case
            when deal_before.rate_table_type = 'retroactive'
                then deal_before.deal_cum_after >= bands.amount_from * deal_before.tier_amount_fx_rate
                    and (
                        bands.amount_to is null
                        or deal_before.deal_cum_after < bands.amount_to * deal_before.tier_amount_fx_rate
                    )
            else least(
                deal_before.deal_cum_after,
                coalesce(bands.amount_to * deal_before.tier_amount_fx_rate, deal_before.deal_cum_after)
            )
            - greatest(deal_before.deal_cum_before, bands.amount_from * deal_before.tier_amount_fx_rate) > 0
            or (
                deal_before.credit_amount = 0
                and deal_before.deal_cum_before >= bands.amount_from * deal_before.tier_amount_fx_rate
                and (
                    bands.amount_to is null
                    or deal_before.deal_cum_before < bands.amount_to * deal_before.tier_amount_fx_rate
                )
            )
        end
),

final as (
    select
        {{ dbt.hash("credit_id || '|' || employee_id || '|' || plan_id || '|' || component_id || '|' || band_label") }}
            as commission_line_id,
        'commission' as line_type,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        pay_period,
        period_start,
        trim_scale(rate * base_amount * coalesce(line_payout_fx_rate, 1)) as commission_amount,
        pay_currency,
        credit_id as evidence_key,
        credit_id,
        plan_version,
        component_name,
        rate_table_type,
        rate_table_per,
        band_number as tier_number,
        band_label as tier_label,
        band_amount_from as tier_amount_from,
        band_amount_to as tier_amount_to,
        case when measure not in {{ count_measures() }} then plan_currency end as tier_amount_currency,
        trim_scale(tier_amount_fx_rate) as tier_amount_fx_rate,
        deal_fx_date as tier_amount_fx_date,
        trim_scale(deal_cum_before) as deal_measure_before,
        trim_scale(deal_cum_after) as deal_measure_after,
        trim_scale(rate) as rate,
        trim_scale(unit_amount_fx_rate) as unit_amount_fx_rate,
        case when measure in {{ count_measures() }} then plan_fx_date end as unit_amount_fx_date,
        true as threshold_met,
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
        line_payout_fx_rate as payout_fx_rate,
        case when line_payout_fx_rate is not null then payout_fx_date end as payout_fx_date,
        trim_scale(base_amount) as tier_base_amount,
        opportunity_row_id,
        split_row_id,
        source_file,
        source_batch_id,
        source_line,
        event_row_id,
        event_source_file,
        event_source_line
    from deal_touched
)

select * from final
