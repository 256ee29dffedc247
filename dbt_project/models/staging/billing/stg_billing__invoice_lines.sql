with source as (
    select * from {{ source('raw_billing', 'invoice_lines') }}
    where {{ not_quarantined('billing.invoice_lines') }}
),

renamed as (
    select
        invoice_line_id,
        invoice_id,
        product_code,
        description as line_description,
        quantity::numeric as quantity,
        amount::numeric as amount,
        service_period_start,
        service_period_end,
        updated_at,
        _row_id as invoice_line_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
