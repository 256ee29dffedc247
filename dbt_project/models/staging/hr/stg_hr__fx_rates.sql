with source as (
    select * from {{ source('raw_hr', 'fx_rates') }}
    where {{ not_quarantined('hr.fx_rates') }}
),

renamed as (
    select
        rate_date,
        upper(from_currency) as from_currency,
        upper(to_currency) as to_currency,
        rate::numeric as rate,
        _row_id as fx_rate_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
