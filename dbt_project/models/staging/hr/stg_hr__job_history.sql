with source as (
    select * from {{ source('raw_hr', 'job_history') }}
    where {{ not_quarantined('hr.job_history') }}
),

renamed as (
    select
        employee_id,
        effective_from,
        effective_to,
        role,
        nullif(trim(manager_employee_id), '') as manager_employee_id,
        territory,
        nullif(trim(plan_id), '') as plan_id,
        updated_at,
        _row_id as job_history_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
