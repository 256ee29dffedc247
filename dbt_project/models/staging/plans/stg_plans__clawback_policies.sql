with source as (
    select * from {{ source('plans', 'clawback_policies') }}
),

renamed as (
    select
        plan_id,
        version_number,
        event as clawback_event,
        window_days,
        recover_in
    from source
)

select * from renamed
