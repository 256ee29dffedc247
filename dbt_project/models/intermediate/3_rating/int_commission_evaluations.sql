-- The plan maths, deal by deal, evaluated at a month (as_of_period_start). Every
-- commissionable credit (int_measure_credits: a deal credit measured at an event of a
-- payment trigger) counts toward each computed component of its plan version with that
-- measure and trigger, within the component's attainment window, whose measure, quota and
-- attainment at each month int_component_attainment defines (the window: the quota period,
-- or the year to date, never before the plan version's first month). Within the window the
-- credits are taken in order (credit date, opportunity, split, event) and stacked:
-- bookings_before and bookings_after are the window's measure before and after the credit.
--
-- Activities (measure activities) count toward the components of their type (activity).
--
-- A credit is evaluated at its own month (int_commission_lines: what it pays then) and,
-- on a component with cumulative_true_up, at every later month of the window with a
-- credit (int_commission_true_ups: how that month re-rates it), at that month's window
-- quota and attainment (period_attainment; quota_months for a curve's target incentive).
--
-- A band of the rate table covers the measure [quota * attainment_from,
-- quota * attainment_to) (int_plan_rate_bands):
--   flat, graduated: the part of the credit inside each band earns that band's rate
--                    (units: its amount per unit, converted from the plan currency to the
--                    pay currency like a target incentive: unit_amount_fx_rate); a credit
--                    in the plan currency (credit_currency: plan_currency) earns in it and
--                    the line converts to the pay currency at the credit's payout_fx_rate;
--   curve:           the same, a band being a segment between two points of the curve:
--                    its rate is what the segment adds to the payout per unit of measure,
--                    target incentive to date * weight * fx
--                      * (payout_to - payout_from) / (quota * (attainment_to - attainment_from)),
--                    target incentive to date being target_incentive x the months the
--                    quota counts / 12 (a month: 1/12, a quarter: 3/12; a prorated month
--                    counts its share, so a hire on the 15th of June adds 16/30); so a window's lines add
--                    up to the curve's payout at its attainment; past the last point it
--                    stays flat (rate 0). The target incentive (plan currency) converts to
--                    the pay currency like the plan's other amounts: at the credit date, or
--                    the month's last day (fx_rate_date);
--   retroactive:     the credit earns the rate of the band period_attainment reached, up
--                    to the cap (converted like flat and graduated lines);
--   threshold:       below it (period_attainment) every line earns nothing;
--   above the cap:   an 'above_cap' line earning 0, so every credit is explained and
--                    its lines' tier_base_amount add up to the credit;
--   a credit that takes the measure down (a negative first-year value, margin, ...)
--                    has negative parts in the bands it passes down through and earns
--                    back what they paid (the first band reaches below 0), so a window
--                    pays what its measure reaches, whatever the order of its credits.
-- A table whose tiers are amounts of one deal (rate_table_per transaction) rates each deal
-- credit on its own, as a kind of line of its own, not here.
-- Nothing is rounded here: fct_payouts rounds once per (employee, plan, month).

{{ config(materialized='table') }}

{#- The part of a credit in a band: where the window stands after it, less where it stood
    before, each held to the band. The first band has no floor and the last no ceiling, so
    a credit that takes the measure down (a negative first-year value, say) earns back, at
    the same rates, what the bands it passes down through paid, and the parts always add
    up to the credit: a window's lines pay what its measure reaches, whatever the order.
    (greatest and least skip a null bound.) Retroactive tables split at the cap only. -#}
{%- set band_floor = "case when bands.attainment_from <> 0 then cumulative.quota * bands.attainment_from end" -%}
{%- set band_ceiling = "cumulative.quota * bands.attainment_to" -%}
{%- set tiered_part -%}
    (least(greatest(cumulative.cum_after, {{ band_floor }}), {{ band_ceiling }})
    - least(greatest(cumulative.cum_before, {{ band_floor }}), {{ band_ceiling }}))
{%- endset -%}
{%- set below_cap_part = "(least(cumulative.cum_after, cumulative.cap_amount) - least(cumulative.cum_before, cumulative.cap_amount))" -%}
{%- set above_cap_part = "(greatest(cumulative.cum_after, cumulative.cap_amount) - greatest(cumulative.cum_before, cumulative.cap_amount))" -%}

with credits as (
    select * from {{ ref('int_measure_credits') }}
    where is_commissionable
),

components as (
    select * from {{ ref('int_plan_components') }}
    where is_computed
        and rate_table_per is distinct from 'transaction'
),

bands as (
    select * from {{ ref('int_plan_rate_bands') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

window_attainment as (
    select * from {{ ref('int_component_attainment') }}
),

component_credits as (
    select
        credits.*,
        components.component_id,
        components.component_name,
        components.rate_table_type,
        components.threshold_attainment,
        components.cap_attainment,
        components.weight as component_weight,
        components.target_incentive,
        components.plan_currency,
        components.quota_period,
        components.attainment_basis,
        components.cumulative_true_up,
        -- the credit's window: the one of its own month
        window_attainment.window_start,
        {{ plan_fx_date('components.fx_rate_date', 'credits.credit_date') }} as plan_fx_date
    from credits
    inner join components
        on {{ component_rates_credit('credits', 'components') }}
    inner join window_attainment
        on window_attainment.employee_id = credits.employee_id
        and window_attainment.plan_id = credits.plan_id
        and window_attainment.plan_version_number = credits.plan_version_number
        and window_attainment.component_id = components.component_id
        and window_attainment.period_start = credits.period_start
),

with_plan_fx as (
    -- The rate converting the plan's target incentive, or a unit's amount, to the pay currency.
    select
        component_credits.*,
        case
            when component_credits.target_incentive is null then null
            else {{ fx_rate_between('to_pay_fx', 'component_credits.plan_currency', 'component_credits.pay_currency') }}
        end as target_incentive_fx_rate,
        case
            when component_credits.measure in {{ count_measures() }}
                then {{ fx_rate_between('to_pay_fx', 'component_credits.plan_currency', 'component_credits.pay_currency') }}
        end as unit_amount_fx_rate,
        -- a rate on money earns in the credit currency; a curve's rate and a unit's amount
        -- are already converted to the pay currency above
        case
            when component_credits.rate_table_type <> 'curve' and component_credits.measure not in {{ count_measures() }}
                then component_credits.payout_fx_rate
        end as line_payout_fx_rate
    from component_credits
    {{ fx_rate_joins('to_pay_fx', 'component_credits.plan_currency', 'component_credits.pay_currency', 'component_credits.plan_fx_date') }}
),

stacked as (
    select
        with_plan_fx.*,
        sum(credit_amount) over (
            partition by employee_id, plan_id, plan_version_number, component_id, window_start
            -- a region booking's credits by their run of the day's stack (int_region_deal_measures)
            order by
                credit_date, region_run nulls first, opportunity_id, split_id nulls first, credit_event_id nulls first,
                credit_id
            rows between unbounded preceding and current row
        ) as cum_after
    from with_plan_fx
),

reached_bands as (
    -- retroactive: the start of the highest paying band the window's attainment reached
    -- at the month (a window-month, not a credit, decides it).
    select
        window_attainment.employee_id,
        window_attainment.plan_id,
        window_attainment.plan_version_number,
        window_attainment.component_id,
        window_attainment.period_start,
        max(bands.attainment_from) as reached_attainment_from
    from window_attainment
    inner join bands
        on bands.plan_id = window_attainment.plan_id
        and bands.version_number = window_attainment.plan_version_number
        and bands.component_id = window_attainment.component_id
    where not bands.is_above_cap
        and bands.attainment_from <= coalesce(window_attainment.attainment, 0)
    group by 1, 2, 3, 4, 5
),

cumulative as (
    -- Each credit at its own month and, with a true-up, at each later month of its window.
    select
        stacked.*,
        as_of.period_start as as_of_period_start,
        stacked.cum_after - stacked.credit_amount as cum_before,
        as_of.quota_amount as quota,
        as_of.measure_to_date as period_measure,
        as_of.attainment as period_attainment,
        stacked.threshold_attainment is null
            or as_of.attainment >= stacked.threshold_attainment as threshold_met,
        as_of.quota_amount * stacked.cap_attainment as cap_amount,
        -- the months of target incentive the window's quota stands for
        as_of.quota_months,
        reached_bands.reached_attainment_from
    from stacked
    inner join window_attainment as as_of
        on as_of.employee_id = stacked.employee_id
        and as_of.plan_id = stacked.plan_id
        and as_of.plan_version_number = stacked.plan_version_number
        and as_of.component_id = stacked.component_id
        and as_of.window_start = stacked.window_start
        and (
            as_of.period_start = stacked.period_start
            or (stacked.cumulative_true_up and as_of.period_start > stacked.period_start)
        )
    left join reached_bands
        on reached_bands.employee_id = as_of.employee_id
        and reached_bands.plan_id = as_of.plan_id
        and reached_bands.plan_version_number = as_of.plan_version_number
        and reached_bands.component_id = as_of.component_id
        and reached_bands.period_start = as_of.period_start
),

touched as (
    -- The bands a credit touches, joined as such rather than filtered out of every band:
    --   flat, graduated, curve: each band pays its own rate on the part of the credit in
    --     it (a zero credit touches no band: it is explained by the band it sits in);
    --   retroactive: the part of the credit below the cap, at the reached band's rate,
    --     and the part above the cap on the 'above_cap' band.
    select
        cumulative.*,
        bands.band_number,
        bands.band_label,
        bands.is_above_cap,
        bands.attainment_from as band_attainment_from,
        bands.attainment_to as band_attainment_to,
        bands.curve_attainment_from,
        bands.curve_attainment_to,
        bands.payout_from,
        bands.payout_to,
        case
            -- units: the amount per unit (plan currency) in the pay currency; null without a rate
            when cumulative.rate_table_type <> 'curve' and cumulative.measure in {{ count_measures() }}
                then bands.rate * cumulative.unit_amount_fx_rate
            when cumulative.rate_table_type <> 'curve' then bands.rate
            when bands.is_above_cap or bands.curve_attainment_to is null then 0::numeric
            else cumulative.target_incentive * cumulative.quota_months * cumulative.component_weight
                * cumulative.target_incentive_fx_rate * (bands.payout_to - bands.payout_from)
                / nullif(
                    12 * cumulative.quota
                    * (bands.curve_attainment_to - bands.curve_attainment_from),
                    0
                )
        end as rate,
        case
            when cumulative.rate_table_type <> 'retroactive' then {{ tiered_part }}
            when not bands.is_above_cap then {{ below_cap_part }}
            else {{ above_cap_part }}
        end as base_amount
    from cumulative
    inner join bands
        on bands.plan_id = cumulative.plan_id
        and bands.version_number = cumulative.plan_version_number
        and bands.component_id = cumulative.component_id
        and case
            when cumulative.rate_table_type in ('flat', 'graduated', 'curve')
                then {{ tiered_part }} <> 0
                or (
                    cumulative.credit_amount = 0
                    and cumulative.cum_before >= coalesce({{ band_floor }}, cumulative.cum_before)
                    and (cumulative.cum_before < {{ band_ceiling }} or {{ band_ceiling }} is null)
                )
            when cumulative.rate_table_type = 'retroactive' and not bands.is_above_cap
                then bands.attainment_from = cumulative.reached_attainment_from
                    and (
                        {{ below_cap_part }} <> 0
                        or (
                            cumulative.credit_amount = 0
                            and (cumulative.cap_amount is null or cumulative.cum_before < cumulative.cap_amount)
                        )
                    )
            when cumulative.rate_table_type = 'retroactive'
                then {{ above_cap_part }} <> 0
                or (cumulative.credit_amount = 0 and cumulative.cum_before >= cumulative.cap_amount)
            else false
        end
),

final as (
    select
        {{ dbt.hash("credit_id || '|' || employee_id || '|' || plan_id || '|' || component_id || '|' || band_label || '|' || as_of_period_start") }}
            as evaluation_id,
        credit_id,
        employee_id,
        plan_id,
        plan_version_number,
        plan_version,
        component_id,
        component_name,
        rate_table_type,
        period_start,
        pay_period,
        band_number as tier_number,
        band_label as tier_label,
        band_attainment_from as tier_attainment_from,
        band_attainment_to as tier_attainment_to,
        trim_scale(rate) as rate,
        component_weight,
        target_incentive,
        plan_currency as target_incentive_currency,
        trim_scale(target_incentive_fx_rate) as target_incentive_fx_rate,
        case when target_incentive is not null then plan_fx_date end as target_incentive_fx_date,
        trim_scale(unit_amount_fx_rate) as unit_amount_fx_rate,
        case when measure in {{ count_measures() }} then plan_fx_date end as unit_amount_fx_date,
        curve_attainment_from,
        curve_attainment_to,
        payout_from as curve_payout_from,
        payout_to as curve_payout_to,
        threshold_attainment,
        threshold_met,
        cap_attainment,
        quota_period,
        attainment_basis,
        cumulative_true_up,
        window_start,
        as_of_period_start,
        trim_scale(quota) as quota_amount,
        -- trim_scale drops trailing zeros only (100.0000 -> 100): same value, stable text.
        trim_scale(cum_before) as bookings_before,
        trim_scale(cum_after) as bookings_after,
        trim_scale(cum_before / nullif(quota, 0)) as attainment_before,
        trim_scale(cum_after / nullif(quota, 0)) as attainment_after,
        trim_scale(period_measure) as period_bookings,
        trim_scale(period_attainment) as period_attainment,
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
        pay_currency,
        trim_scale(base_amount) as tier_base_amount,
        trim_scale(
            case when threshold_met then rate * base_amount * coalesce(line_payout_fx_rate, 1) else 0 end
        ) as commission_amount,
        opportunity_row_id,
        split_row_id,
        quota_row_id,
        source_file,
        source_batch_id,
        source_line,
        event_row_id,
        event_source_file,
        event_source_line
    from touched
)

select * from final
-- Its fx and hash calls are one line each: wrap them at 120 once per-transaction rating lands.
-- sqlfluff:max_line_length:150
