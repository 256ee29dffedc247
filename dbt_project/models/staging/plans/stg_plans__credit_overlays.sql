with source as (
    select * from {{ source('plans', 'credit_overlays') }}
),

renamed as (
    select
        plan_id,
        version_number,
        component_id,
        overlay_number,
        overlay_by,
        overlay_values
    from source
)

select * from renamed
