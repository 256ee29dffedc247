with source as (
    select * from {{ source('raw_crm', 'opportunities') }}
    where {{ not_quarantined('crm.opportunities') }}
),

renamed as (
    select
        opportunity_id,
        account_id,
        owner_user_id,
        opportunity_name,
        stage,
        stage = 'Closed Won' as is_closed_won,
        opportunity_type,
        amount::numeric as amount,
        upper(currency) as currency,
        close_date,
        contract_start_date,
        term_months,
        created_at,
        last_modified_at,
        _row_id as opportunity_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
