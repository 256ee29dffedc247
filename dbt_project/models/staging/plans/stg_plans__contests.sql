with source as (
    select * from {{ source('plans', 'contests') }}
),

renamed as (
    select
        plan_id,
        version_number,
        contest_id,
        contest_name,
        starts_on,
        ends_on,
        measure,
        rank_by
    from source
)

select * from renamed
