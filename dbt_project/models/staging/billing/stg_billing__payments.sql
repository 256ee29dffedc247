with source as (
    select * from {{ source('raw_billing', 'payments') }}
    where {{ not_quarantined('billing.payments') }}
),

renamed as (
    select
        payment_id,
        invoice_id,
        payment_date,
        upper(currency) as currency,
        amount::numeric as amount,
        method as payment_method,
        updated_at,
        _row_id as payment_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
