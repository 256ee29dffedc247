-- What the payroll file is written from (commissions.export.payroll): one line per
-- employee, pay period, earnings code and currency. COMM is the sum of that month's
-- rounded commission payouts; ADJ the sum of that month's manual adjustments. Lines
-- that pay nothing are left out.

with payouts as (
    select * from {{ ref('fct_payouts') }}
),

adjustments as (
    select * from {{ ref('fct_adjustments') }}
),

commission_earnings as (
    select
        employee_id,
        pay_period,
        'COMM' as earnings_code,
        currency,
        minor_units,
        sum(payout_amount) as amount
    from payouts
    group by employee_id, pay_period, currency, minor_units
),

adjustment_earnings as (
    select
        employee_id,
        pay_period,
        earnings_code,
        currency,
        minor_units,
        sum(amount) as amount
    from adjustments
    group by employee_id, pay_period, earnings_code, currency, minor_units
),

earnings as (
    select * from commission_earnings
    union all
    select * from adjustment_earnings
),

final as (
    select
        employee_id::text as employee_id,
        pay_period::text as pay_period,
        earnings_code::text as earnings_code,
        amount::numeric as amount,
        currency::text as currency,
        minor_units::integer as minor_units
    from earnings
    where amount <> 0
)

select * from final
