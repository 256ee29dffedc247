-- Compensation plans with their tiers written out, for statements and BI.

with plans as (
    select * from {{ ref('plans') }}
),

tiers as (
    select * from {{ ref('plan_rate_tiers') }}
),

tier_summary as (
    select
        plan_id,
        count(*) as tier_count,
        string_agg(
            '[' || attainment_from::text || ', ' || attainment_to::text || ') ' || (rate * 100)::text || '%',
            '; ' order by tier_number
        ) as tier_schedule
    from tiers
    group by plan_id
),

final as (
    select
        plans.plan_id,
        plans.plan_name,
        plans.measure,
        plans.quota_period,
        plans.cap_attainment,
        plans.effective_from,
        plans.effective_to,
        tier_summary.tier_count,
        tier_summary.tier_schedule
    from plans
    left join tier_summary
        on tier_summary.plan_id = plans.plan_id
)

select * from final
