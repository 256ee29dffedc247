-- Every Closed Won deal reaches int_credits (paid, or listed with its reason in
-- ops_non_commissionable_credits, which is int_credits where not is_commissionable):
-- nothing is dropped silently between the deal and its credits.
with won_deals as (
    select opportunity_id from {{ ref('stg_crm__opportunities') }}
    where is_closed_won
),

credits as (
    select opportunity_id from {{ ref('int_credits') }}
)

-- an anti-join rather than a left join to the distinct credited deals: the credits are
-- scanned against the won deals once, not de-duplicated first
select won_deals.opportunity_id
from won_deals
where not exists (
    select 1 from credits
    where credits.opportunity_id = won_deals.opportunity_id
)
