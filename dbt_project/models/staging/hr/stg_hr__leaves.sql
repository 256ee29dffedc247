with source as (
    select * from {{ source('raw_hr', 'leaves') }}
    where {{ not_quarantined('hr.leaves') }}
),

renamed as (
    select
        leave_id,
        employee_id,
        leave_type,
        is_paid,
        start_date,
        end_date,
        updated_at,
        _row_id as leave_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
