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
{%- set tiered_part -%}
    (least(greatest(stacked.cum_after, band_months.band_floor), band_months.band_ceiling)
    - least(greatest(stacked.cum_before, band_months.band_floor), band_months.band_ceiling))
{%- endset -%}
{%- set below_cap_part = "(least(stacked.cum_after, band_months.cap_amount) - least(stacked.cum_before, band_months.cap_amount))" -%}
{%- set above_cap_part = "(greatest(stacked.cum_after, band_months.cap_amount) - greatest(stacked.cum_before, band_months.cap_amount))" -%}

-- The maths runs on narrow rows: a credit's keys, its place in its window's order, its
-- amount and the rate terms it needs. What a line only shows (the deal, split and event and
-- the source rows, most of a credit's ~0.5 kB; the component's, band's and month's terms)
-- joins back by key in final, to the lines kept (1.2M at 300 reps x 24 months), instead of
-- riding through the window's sort and the 4M credit-month-bands the lines are chosen from.
with credits as not materialized (
    -- read twice (the maths, final's evidence): inlined, so each reads only its own columns
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
        credits.credit_id,
        credits.employee_id,
        credits.plan_id,
        credits.plan_version_number,
        credits.period_start,
        -- the window's order (stacked)
        credits.credit_date,
        credits.region_run,
        credits.opportunity_id,
        credits.split_id,
        credits.credit_event_id,
        credits.measure,
        credits.credit_amount,
        credits.pay_currency,
        credits.payout_fx_rate,
        components.component_id,
        components.rate_table_type,
        components.threshold_attainment,
        components.weight as component_weight,
        components.target_incentive,
        components.plan_currency,
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
    -- Where the window stands after the credit and before it: worked out once a credit,
    -- here, not again in each month and band it is evaluated at.
    select
        with_plan_fx.*,
        sum(credit_amount) over window_order as cum_after,
        sum(credit_amount) over window_order - credit_amount as cum_before
    from with_plan_fx
    window window_order as (
        partition by employee_id, plan_id, plan_version_number, component_id, window_start
        -- a region booking's credits by their run of the day's stack (int_region_deal_measures)
        order by
            credit_date, region_run nulls first, opportunity_id, split_id nulls first, credit_event_id nulls first,
            credit_id
        rows between unbounded preceding and current row
    )
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

band_months as materialized (
    -- Each month of a window with each band of its component: the month's quota and
    -- attainment, whether the threshold is met, and the band's bounds and the cap in measure
    -- at that quota. Materialized, so they are worked out once a window-month and band (38k
    -- at 300 x 24), not again for every credit evaluated there.
    select
        as_of.employee_id,
        as_of.plan_id,
        as_of.plan_version_number,
        as_of.component_id,
        as_of.window_start,
        as_of.period_start as as_of_period_start,
        as_of.quota_amount as quota,
        as_of.measure_to_date as period_measure,
        as_of.attainment as period_attainment,
        -- the months of target incentive the window's quota stands for
        as_of.quota_months,
        components.threshold_attainment is null
            or as_of.attainment >= components.threshold_attainment as threshold_met,
        components.cap_attainment,
        as_of.quota_amount * components.cap_attainment as cap_amount,
        reached_bands.reached_attainment_from,
        bands.band_number,
        bands.band_label,
        bands.is_above_cap,
        bands.rate as band_rate,
        bands.attainment_from as band_attainment_from,
        bands.attainment_to as band_attainment_to,
        case when bands.attainment_from <> 0 then as_of.quota_amount * bands.attainment_from end as band_floor,
        as_of.quota_amount * bands.attainment_to as band_ceiling,
        bands.curve_attainment_from,
        bands.curve_attainment_to,
        bands.payout_from,
        bands.payout_to
    from window_attainment as as_of
    inner join components
        on components.plan_id = as_of.plan_id
        and components.version_number = as_of.plan_version_number
        and components.component_id = as_of.component_id
    inner join bands
        on bands.plan_id = as_of.plan_id
        and bands.version_number = as_of.plan_version_number
        and bands.component_id = as_of.component_id
    left join reached_bands
        on reached_bands.employee_id = as_of.employee_id
        and reached_bands.plan_id = as_of.plan_id
        and reached_bands.plan_version_number = as_of.plan_version_number
        and reached_bands.component_id = as_of.component_id
        and reached_bands.period_start = as_of.period_start
),

touched as materialized (
    -- Each credit at its own month and, with a true-up, at each later month of its window,
    -- in the bands it touches there, joined as such rather than filtered out of every band:
    --   flat, graduated, curve: each band pays its own rate on the part of the credit in
    --     it (a zero credit touches no band: it is explained by the band it sits in);
    --   retroactive: the part of the credit below the cap, at the reached band's rate,
    --     and the part above the cap on the 'above_cap' band.
    -- Only a line's key (credit, component, month, band) and its amounts: final takes the
    -- rest by that key. Materialized: the planner cannot count these rows (it reads
    -- int_plan_components as one row), and unfenced it may join final's wide columns to
    -- the 4M candidates before the band condition keeps 1.2M.
    select
        stacked.credit_id,
        stacked.component_id,
        band_months.as_of_period_start,
        band_months.band_number,
        stacked.cum_before,
        stacked.cum_after,
        stacked.target_incentive_fx_rate,
        stacked.unit_amount_fx_rate,
        stacked.line_payout_fx_rate,
        stacked.plan_fx_date,
        case
            -- units: the amount per unit (plan currency) in the pay currency; null without a rate
            when stacked.rate_table_type <> 'curve' and stacked.measure in {{ count_measures() }}
                then band_months.band_rate * stacked.unit_amount_fx_rate
            when stacked.rate_table_type <> 'curve' then band_months.band_rate
            when band_months.is_above_cap or band_months.curve_attainment_to is null then 0::numeric
            else stacked.target_incentive * band_months.quota_months * stacked.component_weight
                * stacked.target_incentive_fx_rate * (band_months.payout_to - band_months.payout_from)
                / nullif(
                    12 * band_months.quota
                    * (band_months.curve_attainment_to - band_months.curve_attainment_from),
                    0
                )
        end as rate,
        case
            when stacked.rate_table_type <> 'retroactive' then {{ tiered_part }}
            when not band_months.is_above_cap then {{ below_cap_part }}
            else {{ above_cap_part }}
        end as base_amount
    from stacked
    inner join band_months
        on band_months.employee_id = stacked.employee_id
        and band_months.plan_id = stacked.plan_id
        and band_months.plan_version_number = stacked.plan_version_number
        and band_months.component_id = stacked.component_id
        and band_months.window_start = stacked.window_start
        and (
            band_months.as_of_period_start = stacked.period_start
            or (stacked.cumulative_true_up and band_months.as_of_period_start > stacked.period_start)
        )
        and case
            when stacked.rate_table_type in ('flat', 'graduated', 'curve')
                then {{ tiered_part }} <> 0
                or (
                    stacked.credit_amount = 0
                    and stacked.cum_before >= coalesce(band_months.band_floor, stacked.cum_before)
                    and (band_months.band_ceiling > stacked.cum_before or band_months.band_ceiling is null)
                )
            when stacked.rate_table_type = 'retroactive' and not band_months.is_above_cap
                then band_months.band_attainment_from = band_months.reached_attainment_from
                    and (
                        {{ below_cap_part }} <> 0
                        or (
                            stacked.credit_amount = 0
                            and (band_months.cap_amount is null or band_months.cap_amount > stacked.cum_before)
                        )
                    )
            when stacked.rate_table_type = 'retroactive'
                then {{ above_cap_part }} <> 0
                or (stacked.credit_amount = 0 and band_months.cap_amount <= stacked.cum_before)
            else false
        end
),

final as (
    -- The lines with what explains them, joined back by their keys: the credit (the deal,
    -- split and event, the source rows), the component's terms, the band and the month's
    -- quota and attainment.
    select
        {{ dbt.hash(
            "touched.credit_id || '|' || credits.employee_id || '|' || credits.plan_id || '|' || touched.component_id"
            ~ " || '|' || band_months.band_label || '|' || touched.as_of_period_start"
        ) }}
            as evaluation_id,
        touched.credit_id,
        credits.employee_id,
        credits.plan_id,
        credits.plan_version_number,
        credits.plan_version,
        touched.component_id,
        components.component_name,
        components.rate_table_type,
        credits.period_start,
        credits.pay_period,
        touched.band_number as tier_number,
        band_months.band_label as tier_label,
        band_months.band_attainment_from as tier_attainment_from,
        band_months.band_attainment_to as tier_attainment_to,
        trim_scale(touched.rate) as rate,
        components.weight as component_weight,
        components.target_incentive,
        components.plan_currency as target_incentive_currency,
        trim_scale(touched.target_incentive_fx_rate) as target_incentive_fx_rate,
        case when components.target_incentive is not null then touched.plan_fx_date end as target_incentive_fx_date,
        trim_scale(touched.unit_amount_fx_rate) as unit_amount_fx_rate,
        case when credits.measure in {{ count_measures() }} then touched.plan_fx_date end as unit_amount_fx_date,
        band_months.curve_attainment_from,
        band_months.curve_attainment_to,
        band_months.payout_from as curve_payout_from,
        band_months.payout_to as curve_payout_to,
        components.threshold_attainment,
        band_months.threshold_met,
        components.cap_attainment,
        components.quota_period,
        components.attainment_basis,
        components.cumulative_true_up,
        band_months.window_start,
        touched.as_of_period_start,
        trim_scale(band_months.quota) as quota_amount,
        -- trim_scale drops trailing zeros only (100.0000 -> 100): same value, stable text.
        trim_scale(touched.cum_before) as bookings_before,
        trim_scale(touched.cum_after) as bookings_after,
        trim_scale(touched.cum_before / nullif(band_months.quota, 0)) as attainment_before,
        trim_scale(touched.cum_after / nullif(band_months.quota, 0)) as attainment_after,
        trim_scale(band_months.period_measure) as period_bookings,
        trim_scale(band_months.period_attainment) as period_attainment,
        credits.deal_credit_id,
        credits.deal_close_date,
        credits.measure,
        credits.payment_trigger,
        credits.credit_event,
        credits.credit_event_id,
        credits.measure_amount,
        credits.measure_currency,
        credits.opportunity_id,
        credits.split_id,
        credits.credit_type,
        credits.rollup_from_employee_id,
        credits.split_share,
        credits.credit_date,
        credits.deal_amount,
        credits.deal_currency,
        credits.fx_rate,
        credits.credit_amount,
        credits.credit_currency,
        touched.line_payout_fx_rate as payout_fx_rate,
        case when touched.line_payout_fx_rate is not null then credits.payout_fx_date end as payout_fx_date,
        credits.pay_currency,
        trim_scale(touched.base_amount) as tier_base_amount,
        trim_scale(
            case when band_months.threshold_met then touched.rate * touched.base_amount * coalesce(touched.line_payout_fx_rate, 1) else 0 end
        ) as commission_amount,
        credits.opportunity_row_id,
        credits.split_row_id,
        credits.quota_row_id,
        credits.source_file,
        credits.source_batch_id,
        credits.source_line,
        credits.event_row_id,
        credits.event_source_file,
        credits.event_source_line
    from touched
    inner join credits
        on credits.credit_id = touched.credit_id
    inner join components
        on components.plan_id = credits.plan_id
        and components.version_number = credits.plan_version_number
        and components.component_id = touched.component_id
    inner join band_months
        on band_months.employee_id = credits.employee_id
        and band_months.plan_id = credits.plan_id
        and band_months.plan_version_number = credits.plan_version_number
        and band_months.component_id = touched.component_id
        and band_months.as_of_period_start = touched.as_of_period_start
        and band_months.band_number = touched.band_number
)

select * from final
-- Its fx calls are one line each: wrap them at 120 once per-transaction rating lands.
-- sqlfluff:max_line_length:150
