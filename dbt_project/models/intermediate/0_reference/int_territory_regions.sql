-- The region of each territory, as the accounts export states it (a territory's accounts
-- name one region; should they name several, the first alphabetically), for the BI marts'
-- region column.

with accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

final as (
    select
        territory,
        min(region) as region
    from accounts
    where territory is not null and region is not null
    group by territory
)

select * from final
