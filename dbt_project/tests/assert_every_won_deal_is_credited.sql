-- Every Closed Won deal reaches int_credits (paid, or listed with its reason in
-- ops_non_commissionable_credits, which is int_credits where not is_commissionable):
-- nothing is dropped silently between the deal and its credits.
with won_deals as (
    select opportunity_id from {{ ref('stg_crm__opportunities') }}
    where is_closed_won
),

credited as (
    select distinct opportunity_id from {{ ref('int_credits') }}
)

select won_deals.opportunity_id
from won_deals
left join credited
    on credited.opportunity_id = won_deals.opportunity_id
where credited.opportunity_id is null
