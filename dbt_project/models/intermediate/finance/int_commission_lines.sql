-- The plan maths, deal by deal. Every commissionable credit counts toward each computed
-- component of the plan version in force on its credit date. Within each (employee,
-- plan, component, month) the credits are taken in order (close date, opportunity,
-- split) and stacked: bookings_before and bookings_after are the month's measure before
-- and after the credit. A band of the rate table covers the measure
-- [quota * attainment_from, quota * attainment_to) (int_plan_rate_bands):
--   flat, graduated: the part of the credit inside each band earns that band's rate;
--   curve:           the same, a band being a segment between two points of the curve:
--                    its rate is what the segment adds to the payout per unit of measure,
--                    target_incentive / periods a year * weight * fx
--                      * (payout_to - payout_from) / (quota * (attainment_to - attainment_from)),
--                    so the lines of a period add up to the curve's payout at the period's
--                    attainment; past the last point it stays flat (rate 0). The target
--                    incentive (plan currency) converts to the pay currency like the plan's
--                    other amounts: at the credit date, or the month's last day (fx_rate_date);
--   retroactive:     the credit earns the rate of the band the month's attainment
--                    reached, up to the cap;
--   threshold:       below it (month's attainment) every line earns nothing;
--   above the cap:   an 'above_cap' line earning 0, so every credit is explained and
--                    its lines' tier_base_amount add up to the credit.
-- Nothing is rounded here: fct_payouts rounds once per (employee, plan, month).

with credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
),

components as (
    select * from {{ ref('int_plan_components') }}
    where is_computed
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
        components.threshold_attainment,
        components.cap_attainment,
        components.weight as component_weight,
        components.target_incentive,
        components.plan_currency,
        case components.quota_period when 'month' then 12 when 'quarter' then 4 when 'year' then 1 end
            as periods_per_year,
        case
            when components.fx_rate_date = 'credit_date' then credits.credit_date
            else (credits.period_start + interval '1 month' - interval '1 day')::date
        end as plan_fx_date,
        credits.quota_amount * components.cap_attainment as cap_amount
    from credits
    inner join components
        on components.plan_id = credits.plan_id
        and components.version_number = credits.plan_version_number
),

with_plan_fx as (
    -- The rate converting the plan's target incentive to the pay currency.
    select
        component_credits.*,
        case
            when component_credits.target_incentive is null then null
            else {{ cross_rate('component_credits.plan_currency', 'component_credits.pay_currency', 'plan_rate.usd_rate', 'pay_rate.usd_rate') }}
        end as target_incentive_fx_rate
    from component_credits
    left join fx_rates as plan_rate
        on plan_rate.currency = component_credits.plan_currency
        and plan_rate.rate_date = component_credits.plan_fx_date
    left join fx_rates as pay_rate
        on pay_rate.currency = component_credits.pay_currency
        and pay_rate.rate_date = component_credits.plan_fx_date
),

stacked as (
    select
        with_plan_fx.*,
        sum(credit_amount) over (
            partition by employee_id, plan_id, component_id, period_start
            order by credit_date, opportunity_id, split_id nulls first
            rows between unbounded preceding and current row
        ) as cum_after,
        sum(credit_amount) over (
            partition by employee_id, plan_id, component_id, period_start
        ) as period_measure
    from with_plan_fx
),

cumulative as (
    select
        stacked.*,
        cum_after - credit_amount as cum_before,
        period_measure / nullif(quota_amount, 0) as period_attainment,
        threshold_attainment is null
            or period_measure / nullif(quota_amount, 0) >= threshold_attainment as threshold_met
    from stacked
),

credit_bands as (
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
            when cumulative.rate_table_type <> 'curve' then bands.rate
            when bands.is_above_cap or bands.curve_attainment_to is null then 0::numeric
            else cumulative.target_incentive * cumulative.component_weight * cumulative.target_incentive_fx_rate
                * (bands.payout_to - bands.payout_from)
                / nullif(
                    cumulative.periods_per_year * cumulative.quota_amount
                    * (bands.curve_attainment_to - bands.curve_attainment_from),
                    0
                )
        end as rate,
        cumulative.quota_amount * bands.attainment_from as band_low,
        cumulative.quota_amount * bands.attainment_to as band_high,
        -- retroactive: the start of the highest paying band the month's attainment reached.
        max(
            case
                when not bands.is_above_cap and bands.attainment_from <= coalesce(cumulative.period_attainment, 0)
                    then bands.attainment_from
            end
        ) over (partition by cumulative.credit_id, cumulative.component_id) as reached_attainment_from
    from cumulative
    inner join bands
        on bands.plan_id = cumulative.plan_id
        and bands.version_number = cumulative.plan_version_number
        and bands.component_id = cumulative.component_id
),

marginal_lines as (
    -- flat and graduated: each band pays its own rate on the part of the credit in it.
    select
        credit_bands.*,
        greatest(
            0::numeric,
            least(cum_after, coalesce(band_high, cum_after)) - greatest(cum_before, band_low)
        ) as base_amount
    from credit_bands
    where rate_table_type in ('flat', 'graduated', 'curve')
),

marginal_touched as (
    select * from marginal_lines
    where base_amount > 0
        -- A zero credit touches no band; explain it by the band it sits in.
        or (
            credit_amount = 0
            and cum_before >= band_low
            and (band_high is null or cum_before < band_high)
        )
),

retroactive_paying as (
    -- retroactive: the part of the credit below the cap, at the reached band's rate.
    select
        credit_bands.*,
        greatest(0::numeric, least(cum_after, coalesce(cap_amount, cum_after)) - cum_before) as base_amount
    from credit_bands
    where rate_table_type = 'retroactive'
        and not is_above_cap
        and band_attainment_from = reached_attainment_from
        and (cap_amount is null or cum_before < cap_amount)
),

retroactive_above_cap as (
    select
        credit_bands.*,
        greatest(0::numeric, cum_after - greatest(cum_before, cap_amount)) as base_amount
    from credit_bands
    where rate_table_type = 'retroactive'
        and is_above_cap
        and (cum_after > cap_amount or cum_before >= cap_amount)
),

touched as (
    select * from marginal_touched
    union all
    select * from retroactive_paying
    union all
    select * from retroactive_above_cap
),

final as (
    select
        {{ dbt.hash("credit_id || '|' || employee_id || '|' || plan_id || '|' || component_id || '|' || band_label") }}
            as commission_line_id,
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
        curve_attainment_from,
        curve_attainment_to,
        payout_from as curve_payout_from,
        payout_to as curve_payout_to,
        threshold_attainment,
        threshold_met,
        cap_attainment,
        quota_amount,
        -- trim_scale drops trailing zeros only (100.0000 -> 100): same value, stable text.
        trim_scale(cum_before) as bookings_before,
        trim_scale(cum_after) as bookings_after,
        trim_scale(cum_before / nullif(quota_amount, 0)) as attainment_before,
        trim_scale(cum_after / nullif(quota_amount, 0)) as attainment_after,
        trim_scale(period_measure) as period_bookings,
        trim_scale(period_attainment) as period_attainment,
        opportunity_id,
        split_id,
        split_share,
        credit_date,
        deal_amount,
        deal_currency,
        fx_rate,
        credit_amount,
        pay_currency,
        trim_scale(base_amount) as tier_base_amount,
        trim_scale(case when threshold_met then rate * base_amount else 0 end) as commission_amount,
        opportunity_row_id,
        split_row_id,
        quota_row_id,
        source_file,
        source_batch_id,
        source_line
    from touched
)

select * from final
