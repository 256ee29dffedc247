-- Team attainment by manager and month, in USD so teams paid in several currencies
-- add up. Bookings are converted at each deal's close-date rate (the rate the credit
-- used); quotas and payouts at the period-end rate (the last rate on or before the
-- month's last day).

with attainment as (
    select * from {{ ref('fct_attainment') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

with_period_end_rate as (
    select
        attainment.*,
        case
            when attainment.currency = 'USD' then 1::numeric
            else period_end_fx.usd_rate
        end as period_end_usd_rate
    from attainment
    left join lateral (
        select fx_rates.usd_rate
        from fx_rates
        where fx_rates.currency = attainment.currency
            and fx_rates.rate_date <= (attainment.period_start + interval '1 month' - interval '1 day')::date
        order by fx_rates.rate_date desc
        limit 1
    ) as period_end_fx on true
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
        sum(payout_amount * period_end_usd_rate) as payout_usd,
        count(*) filter (where period_end_usd_rate is null) as rows_without_rate
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
