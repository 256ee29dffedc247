with source as (
    select * from {{ source('raw_billing', 'invoices') }}
    where {{ not_quarantined('billing.invoices') }}
),

renamed as (
    select
        invoice_id,
        account_id,
        opportunity_id,
        invoice_date,
        due_date,
        upper(currency) as currency,
        total_amount::numeric as total_amount,
        status,
        updated_at,
        _row_id as invoice_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
