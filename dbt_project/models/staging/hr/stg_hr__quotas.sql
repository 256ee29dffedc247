with source as (
    select * from {{ source('raw_hr', 'quotas') }}
    where {{ not_quarantined('hr.quotas') }}
),

renamed as (
    select
        employee_id,
        measure,
        period_start,
        period_end,
        quota_amount::numeric as quota_amount,
        upper(currency) as quota_currency,
        updated_at,
        _row_id as quota_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
