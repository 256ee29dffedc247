with source as (
    select * from {{ source('raw_hr', 'employees') }}
    where {{ not_quarantined('hr.employees') }}
),

renamed as (
    select
        employee_id,
        first_name,
        last_name,
        concat_ws(' ', first_name, last_name) as full_name,
        email,
        hire_date,
        termination_date,
        upper(pay_currency) as pay_currency,
        country,
        updated_at,
        _row_id as employee_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
