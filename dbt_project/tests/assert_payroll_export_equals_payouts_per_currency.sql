-- Per pay period and currency, the payroll export pays exactly what fct_payouts says.
with payouts as (
    select pay_period, currency, sum(payout_amount) as total
    from {{ ref('fct_payouts') }}
    group by pay_period, currency
),

exported as (
    select pay_period, currency, sum(amount) as total
    from {{ ref('payroll_export') }}
    group by pay_period, currency
)

select
    coalesce(payouts.pay_period, exported.pay_period) as pay_period,
    coalesce(payouts.currency, exported.currency) as currency,
    payouts.total as payouts_total,
    exported.total as exported_total
from payouts
full outer join exported
    on exported.pay_period = payouts.pay_period
    and exported.currency = payouts.currency
where coalesce(payouts.total, 0) <> coalesce(exported.total, 0)
