with source as (
    select * from {{ source('raw_crm', 'users') }}
    where {{ not_quarantined('crm.users') }}
),

renamed as (
    select
        user_id,
        nullif(trim(employee_number), '') as employee_id,
        full_name,
        email,
        title,
        is_active,
        last_modified_at,
        _row_id as user_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
