-- One row per owner credit (int_owner_credits) and manager above the person credited on
-- the credit date (job history managers, manager of manager and so on; at most 20 levels,
-- so a loop in HR data ends): the same share of the deal again, for the manager
-- (credit_type manager_rollup, rollup_from_employee_id = the person credited), so a
-- manager's team is the sum of the team's credits. These are candidates: int_credits
-- keeps a manager's credit only when the manager's plan version in force that day has a
-- manager_rollup component, and decides its eligibility with every other credit's.

{{ config(materialized='table') }}

with recursive owner_credits as (
    select * from {{ ref('int_owner_credits') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
),

reporting_line as (
    -- Each credited person (depth 0) and every manager above them on the credit date,
    -- nearest first.
    select
        owner_credits.opportunity_id,
        owner_credits.split_id,
        owner_credits.credit_date,
        owner_credits.employee_id as line_employee_id,
        0 as depth
    from owner_credits
    where owner_credits.employee_id is not null
    union all
    select
        reporting_line.opportunity_id,
        reporting_line.split_id,
        reporting_line.credit_date,
        positions.manager_employee_id,
        reporting_line.depth + 1 as depth
    from reporting_line
    inner join assignments as positions
        on positions.employee_id = reporting_line.line_employee_id
        and {{ in_force_on('reporting_line.credit_date', 'positions.valid_from', 'positions.valid_to') }}
    where positions.manager_employee_id is not null
        and reporting_line.depth < 20
),

managers as (
    -- each manager once per credit, however many paths lead to them
    select distinct
        opportunity_id,
        split_id,
        line_employee_id as employee_id
    from reporting_line
    where depth >= 1
),

final as (
    select
        owner_credits.opportunity_id,
        owner_credits.region_booking_id,
        owner_credits.split_id,
        owner_credits.credited_user_id,
        owner_credits.split_percent,
        owner_credits.split_share,
        owner_credits.split_row_id,
        owner_credits.account_id,
        owner_credits.deal_amount,
        owner_credits.deal_currency,
        owner_credits.credit_date,
        owner_credits.period_start,
        owner_credits.opportunity_row_id,
        owner_credits.source_batch_id,
        owner_credits.source_file,
        owner_credits.source_line,
        owner_credits.known_user_id,
        managers.employee_id,
        'manager_rollup' as credit_type,
        owner_credits.employee_id as rollup_from_employee_id
    from managers
    inner join owner_credits
        on owner_credits.opportunity_id = managers.opportunity_id
        and owner_credits.split_id is not distinct from managers.split_id
)

select * from final
