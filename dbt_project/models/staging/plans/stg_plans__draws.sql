with source as (
    select * from {{ source('plans', 'draws') }}
),

renamed as (
    select
        plan_id,
        version_number,
        draw_type,
        amount as draw_amount,
        period as draw_period,
        periods as draw_periods,
        carry_forward
    from source
)

select * from renamed
