with source as (
    select * from {{ source('plans', 'curve_points') }}
),

renamed as (
    select
        plan_id,
        version_number,
        component_id,
        point_number,
        attainment,
        payout
    from source
)

select * from renamed
