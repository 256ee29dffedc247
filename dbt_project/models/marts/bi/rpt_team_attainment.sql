-- Team attainment by manager and month, in USD so teams paid in several currencies
-- add up. Bookings are converted at each deal's close-date rate (the rate the credit
-- used); quotas and payouts at the period-end rate (the last rate on or before the
-- month's last day) of their currency (the credit currency for quotas, the pay currency
-- for payouts).

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
        case when attainment.currency = 'USD' then 1::numeric else quota_rate.usd_rate end as period_end_usd_rate,
        case when attainment.payout_currency = 'USD' then 1::numeric else payout_rate.usd_rate end
            as payout_period_end_usd_rate
    from attainment
    left join month_end_rates as quota_rate
        on quota_rate.currency = attainment.currency
        and quota_rate.period_start = attainment.period_start
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
        count(distinct employee_id) as reps,
        sum(credited_bookings_usd) as bookings_usd,
        sum(quota * period_end_usd_rate) as quota_usd,
        sum(payout_amount * payout_period_end_usd_rate) as payout_usd,
        count(*) filter (where period_end_usd_rate is null or payout_period_end_usd_rate is null) as rows_without_rate
    from with_period_end_rate
    group by coalesce(manager_employee_id, '(no manager)'), pay_period, period_start
),

final as (
    select
        manager_employee_id,
        manager_name,
        pay_period,
        period_start,
        reps,
        bookings_usd,
        quota_usd,
        bookings_usd / nullif(quota_usd, 0) as team_attainment,
        payout_usd,
        rows_without_rate
    from by_team
)

select * from final
