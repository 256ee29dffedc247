-- One row per deal of a region booking (int_region_deals), measure and trigger a region
-- component pays on (and bookings_tcv on the booking, which holds a credit no component
-- measures), and event of that trigger (int_credit_events): what the deal measures there,
-- exactly as int_measure_credits measures a deal credit. The evidence behind a region
-- credit's measured booking (int_region_measures): which deals and events make it up.
-- Within a region, measure and trigger the deals are stacked in the order a person's
-- window takes credits (event date, opportunity, event). A credit taking the measure down
-- earns back what the bands it passes down through paid; the window's pay is the same
-- either way, but a run of such credits stays apart from the runs of credits that do not,
-- in that order, so the booking's lines go up and down as its deals did: region_run
-- counts the runs, and a measured booking never mixes two. A deal-event that cannot be measured
-- (measure_problem) is a measured booking of its own, held with its reason.

{{ config(materialized='table') }}

with region_deals as (
    select * from {{ ref('int_region_deals') }}
),

credit_events as (
    select * from {{ ref('int_credit_events') }}
),

deal_measures as (
    select * from {{ ref('int_deal_measures') }}
),

components as (
    select * from {{ ref('int_plan_components') }}
),

region_measures as (
    -- what region components measure, and the booking a credit no component measures is
    -- held on
    select distinct measure, payment_trigger
    from components
    where scope = 'region'
        and measure in {{ computed_deal_measures() }}
    union
    select
        'bookings_tcv' as measure,
        'booking' as payment_trigger
),

measured as (
    select
        region_deals.region_booking_id,
        region_deals.region,
        region_deals.opportunity_id,
        region_deals.deal_currency,
        region_measures.measure,
        region_measures.payment_trigger,
        credit_events.credit_event,
        credit_events.credit_event_id,
        credit_events.event_date,
        credit_events.event_currency,
        credit_events.deal_share,
        credit_events.event_row_id,
        credit_events.event_source_file,
        credit_events.event_source_line,
        {{ event_measure_columns(
            'region_measures.measure', 'credit_events', 'deal_measures', 'region_deals.deal_currency'
        ) }}
    from region_deals
    cross join region_measures
    inner join credit_events
        on credit_events.opportunity_id = region_deals.opportunity_id
        and credit_events.credit_event
        = {{ trigger_event('region_measures.measure', 'region_measures.payment_trigger') }}
    inner join deal_measures
        on deal_measures.opportunity_id = region_deals.opportunity_id
),

signed as (
    select
        measured.*,
        -- a new run where the sign changes from the deal-event before (the first starts one)
        case
            when measured.measure_problem is not null then 0
            when ((lag(measured.measure_amount < 0) over stack) is distinct from (measured.measure_amount < 0)) then 1
            else 0
        end as starts_run
    from measured
    window stack as (
        partition by measured.region, measured.measure, measured.payment_trigger, measured.measure_problem is null
        order by measured.event_date, measured.opportunity_id, measured.credit_event_id nulls first
    )
),

runs as (
    select
        signed.*,
        case
            when signed.measure_problem is null
                then sum(signed.starts_run) over (
                    partition by signed.region, signed.measure, signed.payment_trigger, signed.measure_problem is null
                    order by signed.event_date, signed.opportunity_id, signed.credit_event_id nulls first
                    rows between unbounded preceding and current row
                )
        end as region_run
    from signed
),

final as (
    select
        case
            when measure_problem is null
                then {{ dbt.hash(
                    "region_booking_id || '|' || measure || '|' || payment_trigger || '|' || event_date::text"
                    ~ " || '|' || coalesce(event_currency, '') || '|' || region_run::text"
                ) }}
            else {{ dbt.hash(
                "region_booking_id || '|' || measure || '|' || payment_trigger || '|' || opportunity_id"
                ~ " || '|' || coalesce(credit_event_id, '')"
            ) }}
        end as region_measure_id,
        region_booking_id,
        region,
        opportunity_id,
        measure,
        payment_trigger,
        credit_event,
        credit_event_id,
        event_date,
        event_currency,
        trim_scale(deal_share) as deal_share,
        trim_scale(measure_amount) as measure_amount,
        measure_currency,
        measure_problem,
        region_run,
        event_row_id,
        event_source_file,
        event_source_line
    from runs
)

select * from final
