with source as (
    select * from {{ source('raw_hr', 'commission_adjustments') }}
    where {{ not_quarantined('hr.commission_adjustments') }}
),

renamed as (
    select
        adjustment_id,
        employee_id,
        pay_period,
        to_date(pay_period || '-01', 'YYYY-MM-DD') as period_start,
        amount::numeric as amount,
        upper(currency) as currency,
        reason,
        entered_by,
        approved_by,
        updated_at,
        _row_id as adjustment_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
