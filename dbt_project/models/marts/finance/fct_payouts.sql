-- Payout per employee, plan and month: the sum of the month's commission and cap lines,
-- rounded once to the pay currency's minor units (half away from zero).

with monthly_bookings as (
    select * from {{ ref('int_monthly_bookings') }}
),

lines as (
    -- commission and cap lines
    select * from {{ ref('fct_commission_lines') }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

commission as (
    -- Driven by the lines, so a month with only a clawback still has its payout.
    select
        employee_id,
        plan_id,
        period_start,
        pay_period,
        pay_currency,
        sum(commission_amount) as commission_unrounded,
        count(*) as commission_line_count
    from lines
    group by employee_id, plan_id, period_start, pay_period, pay_currency
),

final as (
    select
        commission.employee_id::text as employee_id,
        commission.period_start::date as period_start,
        commission.pay_period::text as pay_period,
        commission.plan_id::text as plan_id,
        commission.pay_currency::text as currency,
        currencies.minor_units::integer as minor_units,
        monthly_bookings.credit_currency::text as credit_currency,
        monthly_bookings.credited_bookings::numeric as credited_bookings,
        monthly_bookings.quota_amount::numeric as quota,
        monthly_bookings.bookings_to_monthly_quota::numeric as bookings_to_monthly_quota,
        trim_scale(commission.commission_unrounded)::numeric as commission_unrounded,
        {{ round_to_minor_units('commission.commission_unrounded', 'currencies.minor_units') }}::numeric
            as payout_amount,
        commission.commission_line_count::integer as commission_line_count
    from commission
    left join monthly_bookings
        on monthly_bookings.employee_id = commission.employee_id
        and monthly_bookings.plan_id = commission.plan_id
        and monthly_bookings.period_start = commission.period_start
    -- left join: a currency missing from the seed fails the not_null contract on
    -- minor_units instead of dropping the payout.
    left join currencies
        on currencies.currency = commission.pay_currency
)

select * from final
