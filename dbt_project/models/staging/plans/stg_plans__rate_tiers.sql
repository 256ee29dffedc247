with source as (
    select * from {{ source('plans', 'rate_tiers') }}
),

renamed as (
    select
        plan_id,
        version_number,
        component_id,
        tier_number,
        attainment_from,
        attainment_to,
        rate,
        amount_per_unit
    from source
)

select * from renamed
