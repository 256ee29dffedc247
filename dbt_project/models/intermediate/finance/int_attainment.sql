-- Attainment per employee, plan and month: commissionable bookings credited in the
-- month (pay currency) over the month's bookings quota. Manager, territory and role
-- are those of the assignment behind the month's last credit.

with credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
),

by_period as (
    select
        employee_id,
        plan_id,
        period_start,
        pay_period,
        pay_currency,
        max(quota_amount) as quota_amount,
        sum(credit_amount) as credited_bookings,
        sum(credit_amount_usd) as credited_bookings_usd,
        count(*) as credit_count
    from credits
    group by employee_id, plan_id, period_start, pay_period, pay_currency
),

last_assignment as (
    select distinct on (employee_id, plan_id, period_start)
        employee_id,
        plan_id,
        period_start,
        role,
        manager_employee_id,
        territory
    from credits
    order by employee_id, plan_id, period_start, credit_date desc, opportunity_id desc, split_id desc nulls last
),

final as (
    select
        by_period.employee_id,
        by_period.plan_id,
        by_period.period_start,
        by_period.pay_period,
        by_period.pay_currency,
        by_period.quota_amount,
        by_period.credited_bookings,
        by_period.credited_bookings_usd,
        trim_scale(by_period.credited_bookings / nullif(by_period.quota_amount, 0)) as attainment,
        by_period.credit_count,
        last_assignment.role,
        last_assignment.manager_employee_id,
        last_assignment.territory
    from by_period
    inner join last_assignment
        on last_assignment.employee_id = by_period.employee_id
        and last_assignment.plan_id = by_period.plan_id
        and last_assignment.period_start = by_period.period_start
)

select * from final
