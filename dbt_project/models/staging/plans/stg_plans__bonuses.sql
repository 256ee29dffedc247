with source as (
    select * from {{ source('plans', 'bonuses') }}
),

renamed as (
    select
        plan_id,
        version_number,
        bonus_id,
        bonus_name,
        amount as bonus_amount,
        component_id,
        period as bonus_period,
        attainment_at_least
    from source
)

select * from renamed
