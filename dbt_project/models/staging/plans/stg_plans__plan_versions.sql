with source as (
    select * from {{ source('plans', 'plan_versions') }}
),

renamed as (
    select
        plan_id,
        version_number,
        plan_id || ' v' || version_number as plan_version,
        effective_from,
        effective_to,
        target_incentive,
        prorate_hire,
        prorate_termination,
        prorate_unpaid_leave
    from source
)

select * from renamed
