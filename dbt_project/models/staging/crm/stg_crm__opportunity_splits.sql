with source as (
    select * from {{ source('raw_crm', 'opportunity_splits') }}
    where {{ not_quarantined('crm.opportunity_splits') }}
),

renamed as (
    select
        split_id,
        opportunity_id,
        split_owner_user_id,
        split_percent::numeric as split_percent,
        split_type,
        split_type = 'Revenue' as is_revenue_split,
        last_modified_at,
        _row_id as split_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
