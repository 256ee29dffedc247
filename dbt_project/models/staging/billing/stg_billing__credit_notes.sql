with source as (
    select * from {{ source('raw_billing', 'credit_notes') }}
    where {{ not_quarantined('billing.credit_notes') }}
),

renamed as (
    select
        credit_note_id,
        invoice_id,
        issue_date,
        upper(currency) as currency,
        amount::numeric as amount,
        reason as credit_reason,
        updated_at,
        _row_id as credit_note_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
