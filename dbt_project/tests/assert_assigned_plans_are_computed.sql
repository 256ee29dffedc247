-- Everyone with commissionable credit must be on a plan version whose every component
-- the engine computes (int_plan_components.computed_gap names what is missing).
-- Otherwise the payout would silently leave a component out: stop the run instead.

with credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
),

components as (
    select * from {{ ref('int_plan_components') }}
)

select
    credits.plan_version,
    components.component_id,
    components.computed_gap,
    count(*) as credits_affected,
    min(credits.employee_id) as example_employee_id
from credits
inner join components
    on components.plan_id = credits.plan_id
    and components.version_number = credits.plan_version_number
where not components.is_computed
group by credits.plan_version, components.component_id, components.computed_gap
