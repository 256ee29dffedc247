-- One row per measured region booking: the deal-events of a region booking (its deals of
-- a day in a currency) that a measure counts at, on one event date in one event currency
-- and one run of the stack (int_region_deal_measures), summed. A region credit
-- (int_credits) is measured through these once per person, as int_measure_credits
-- measures a deal credit through its events: the sums are exact, and within a run every
-- credit takes the window's measure the same way, so the window's bands, attainment and
-- pay are those of the deals taken one by one. A deal-event that cannot be measured is a
-- booking of its own (deal_count 1, its deal and event named), held with its reason.

{{ config(materialized='table') }}

with region_deal_measures as (
    select * from {{ ref('int_region_deal_measures') }}
),

final as (
    select
        region_measure_id,
        region_booking_id,
        measure,
        payment_trigger,
        credit_event,
        event_date,
        event_currency,
        measure_currency,
        measure_problem,
        region_run,
        sum(measure_amount) as measure_amount,
        count(*) as deal_count,
        -- a held deal-event is its own booking: its deal, event and source row
        min(opportunity_id) filter (where measure_problem is not null) as opportunity_id,
        min(credit_event_id) filter (where measure_problem is not null) as credit_event_id,
        min(deal_share) filter (where measure_problem is not null) as deal_share,
        min(event_row_id) filter (where measure_problem is not null) as event_row_id,
        min(event_source_file) filter (where measure_problem is not null) as event_source_file,
        min(event_source_line) filter (where measure_problem is not null) as event_source_line
    from region_deal_measures
    group by
        region_measure_id, region_booking_id, measure, payment_trigger, credit_event, event_date, event_currency,
        measure_currency, measure_problem, region_run
)

select * from final
