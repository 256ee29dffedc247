-- Team attainment by manager, month and measure: the team's component windows added up,
-- their measure to date over their quota, so a team's attainment is its members'
-- attainments weighted by their quotas. Money is in USD so teams paid in several
-- currencies add up: measure and quota convert at the same rate, the period-end rate of
-- their currency (the last rate on or before the month's last day), so each rep's own
-- attainment is kept; payouts at the period-end rate of the pay currency. Units and
-- activities are counted, not converted. Measures are never added together: a team's
-- bookings and its units are two rows, and so are bookings against a rep's own quota and
-- against a region's (quota_measure).

with attainment as (
    select * from {{ ref('fct_attainment') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

months as (
    select distinct period_start from attainment
),

month_end_rates as (
    -- each currency's last rate on or before each month's last day
    select distinct on (fx_rates.currency, months.period_start)
        fx_rates.currency,
        months.period_start,
        fx_rates.usd_rate
    from months
    inner join fx_rates
        on fx_rates.rate_date <= (months.period_start + interval '1 month' - interval '1 day')::date
    order by fx_rates.currency, months.period_start, fx_rates.rate_date desc
),

with_period_end_rate as (
    select
        attainment.*,
        -- a count has no currency: it is added as it is
        case
            when attainment.currency is null or attainment.currency = 'USD' then 1::numeric
            else measure_rate.usd_rate
        end as period_end_usd_rate,
        case when attainment.payout_currency = 'USD' then 1::numeric else payout_rate.usd_rate end
            as payout_period_end_usd_rate
    from attainment
    left join month_end_rates as measure_rate
        on measure_rate.currency = attainment.currency
        and measure_rate.period_start = attainment.period_start
    left join month_end_rates as payout_rate
        on payout_rate.currency = attainment.payout_currency
        and payout_rate.period_start = attainment.period_start
),

by_team as (
    select
        coalesce(manager_employee_id, '(no manager)') as manager_employee_id,
        max(manager_name) as manager_name,
        pay_period,
        period_start,
        measure,
        quota_measure,
        case when bool_and(currency is null) then measure else 'USD' end as unit,
        count(distinct employee_id) as reps,
        count(*) as component_windows,
        sum(measure_to_date * period_end_usd_rate) as measure_to_date,
        sum(quota * period_end_usd_rate) as quota,
        sum(component_payout * payout_period_end_usd_rate) as payout_usd,
        count(*) filter (where period_end_usd_rate is null or payout_period_end_usd_rate is null) as rows_without_rate
    from with_period_end_rate
    group by coalesce(manager_employee_id, '(no manager)'), pay_period, period_start, measure, quota_measure
),

final as (
    select
        manager_employee_id,
        manager_name,
        pay_period,
        period_start,
        measure,
        quota_measure,
        unit,
        reps,
        component_windows,
        trim_scale(measure_to_date) as measure_to_date,
        trim_scale(quota) as quota,
        trim_scale(measure_to_date / nullif(quota, 0)) as team_attainment,
        trim_scale(payout_usd) as payout_usd,
        rows_without_rate
    from by_team
)

select * from final
