with source as (
    select * from {{ source('plans', 'contest_prizes') }}
),

renamed as (
    select
        plan_id,
        version_number,
        contest_id,
        prize_rank,
        amount as prize_amount
    from source
)

select * from renamed
