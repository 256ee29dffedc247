-- Per pay period, currency and earnings code, the payroll export pays exactly what the
-- marts say: COMM = fct_payouts, ADJ = fct_adjustments.
with expected as (
    select pay_period, currency, 'COMM' as earnings_code, sum(payout_amount) as total
    from {{ ref('fct_payouts') }}
    group by pay_period, currency
    union all
    select pay_period, currency, earnings_code, sum(amount) as total
    from {{ ref('fct_adjustments') }}
    group by pay_period, currency, earnings_code
),

exported as (
    select pay_period, currency, earnings_code, sum(amount) as total
    from {{ ref('payroll_export') }}
    group by pay_period, currency, earnings_code
)

select
    coalesce(expected.pay_period, exported.pay_period) as pay_period,
    coalesce(expected.currency, exported.currency) as currency,
    coalesce(expected.earnings_code, exported.earnings_code) as earnings_code,
    expected.total as expected_total,
    exported.total as exported_total
from expected
full outer join exported
    on exported.pay_period = expected.pay_period
    and exported.currency = expected.currency
    and exported.earnings_code = expected.earnings_code
where coalesce(expected.total, 0) <> coalesce(exported.total, 0)
