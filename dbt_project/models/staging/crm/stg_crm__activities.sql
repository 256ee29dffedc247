with source as (
    select * from {{ source('raw_crm', 'activities') }}
    where {{ not_quarantined('crm.activities') }}
),

renamed as (
    select
        activity_id,
        activity_type,
        owner_user_id,
        activity_date,
        status,
        status = 'completed' as is_completed,
        opportunity_id,
        account_id,
        last_modified_at,
        _row_id as activity_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
