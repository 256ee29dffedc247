-- Everyone with commissionable credit must be on a plan version whose every component
-- and incentive the engine computes (int_plan_components.computed_gap
-- names what is missing for a component; SPIFs other than a rate on bookings or an amount
-- per unit at the booking, or an amount per activity, and contests on billing measures or
-- activities, or on units by attainment, are not computed yet). Otherwise the payout would
-- silently leave a mechanic out: stop the run instead. Credits are deal credits and
-- activity credits (someone paid on activities has no deal).

with credits as (
    select employee_id, plan_id, plan_version_number, plan_version from {{ ref('int_credits') }}
    where is_commissionable
    union all
    select employee_id, plan_id, plan_version_number, plan_version from {{ ref('int_activity_credits') }}
    where is_commissionable
),

components as (
    select * from {{ ref('int_plan_components') }}
),

component_gaps as (
    select
        credits.plan_version,
        components.component_id as mechanic,
        components.computed_gap,
        credits.employee_id
    from credits
    inner join components
        on components.plan_id = credits.plan_id
        and components.version_number = credits.plan_version_number
    where not components.is_computed
),

version_extras as (
    select
        plan_id,
        version_number,
        'spif ' || spif_id as mechanic,
        'spif on ' || measure || coalesce(' at ' || payment_trigger, '') as computed_gap
    from {{ ref('stg_plans__spifs') }}
    -- int_commission_spifs pays a rate on bookings or an amount per unit at the booking, or
    -- an amount per activity
    where not (
        (measure in {{ bookings_measures() }} and payment_trigger = 'booking' and rate is not null)
        or (measure = 'units' and payment_trigger = 'booking' and amount_per_unit is not null)
        or (measure = 'activities' and amount_per_unit is not null)
    )
    union all
    select
        plan_id,
        version_number,
        'contest ' || contest_id as mechanic,
        'contest measure ' || measure || ' by ' || rank_by as computed_gap
    from {{ ref('stg_plans__contests') }}
    -- int_commission_contests ranks deal values: bookings and margin, and units by amount
    where not (
        measure in {{ bookings_measures() }}
        or measure = 'margin'
        or (measure = 'units' and rank_by = 'amount')
    )
),

extra_gaps as (
    select
        credits.plan_version,
        version_extras.mechanic,
        version_extras.computed_gap,
        credits.employee_id
    from credits
    inner join version_extras
        on version_extras.plan_id = credits.plan_id
        and version_extras.version_number = credits.plan_version_number
),

gaps as (
    select * from component_gaps
    union all
    select * from extra_gaps
)

select
    plan_version,
    mechanic,
    computed_gap,
    count(*) as credits_affected,
    min(employee_id) as example_employee_id
from gaps
group by plan_version, mechanic, computed_gap
