with source as (
    select * from {{ source('raw_crm', 'accounts') }}
    where {{ not_quarantined('crm.accounts') }}
),

renamed as (
    select
        account_id,
        account_name,
        territory,
        region,
        country,
        segment,
        last_modified_at,
        _row_id as account_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
