-- One row per manual adjustment paid: the amount exactly as approved, in the person's
-- pay currency, with who entered and approved it, why, and the file and line it came
-- from. Adjustments held by the quality gate are not here (ops.ops_quarantine_summary).

with adjustments as (
    select * from {{ ref('stg_hr__commission_adjustments') }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

final as (
    select
        adjustments.adjustment_id,
        adjustments.employee_id,
        adjustments.pay_period,
        adjustments.period_start,
        'ADJ'::text as earnings_code,
        adjustments.amount,
        adjustments.currency,
        currencies.minor_units,
        adjustments.reason,
        adjustments.entered_by,
        adjustments.approved_by,
        adjustments.adjustment_row_id,
        adjustments.source_batch_id,
        adjustments.source_file,
        adjustments.source_line
    from adjustments
    -- left join: a currency missing from the seed fails the not_null test on
    -- minor_units instead of dropping the adjustment.
    left join currencies
        on currencies.currency = adjustments.currency
)

select * from final
