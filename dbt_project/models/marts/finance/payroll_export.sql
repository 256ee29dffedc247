-- What the payroll file is written from (commissions.export.payroll): one line per
-- employee, pay period and currency, the sum of that month's rounded payouts.
-- Lines that pay nothing are left out.

with payouts as (
    select * from {{ ref('fct_payouts') }}
),

per_employee as (
    select
        employee_id,
        pay_period,
        currency,
        minor_units,
        sum(payout_amount) as amount
    from payouts
    group by employee_id, pay_period, currency, minor_units
),

final as (
    select
        employee_id::text as employee_id,
        pay_period::text as pay_period,
        'COMM'::text as earnings_code,
        amount::numeric as amount,
        currency::text as currency,
        minor_units::integer as minor_units
    from per_employee
    where amount <> 0
)

select * from final
