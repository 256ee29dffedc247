-- Cumulative true-up: on a component with cumulative_true_up, each month of a window with
-- a credit re-rates the window's earlier credits at that month's quota and attainment
-- (int_commission_evaluations), and pays the difference:
--   earned_to_date = what the earlier months' credits earn, evaluated at this month
--   paid_to_date   = what they earned at the window's previous month with a credit
--                    (their own lines and every true-up since, by induction)
--   true_up        = earned_to_date - paid_to_date
-- so that, with the month's own lines, what the window has paid by the end of any month
-- is what its credits to date earn at that month. A true-up can be negative (a
-- year-to-date quota that grew faster than the bookings): it is taken back in the month.
-- Nothing is rounded here.

{{ config(materialized='table', schema='pay_lines') }}

with evaluations as (
    select * from {{ ref('int_commission_evaluations') }}
    where cumulative_true_up
),

as_of_periods as (
    select distinct
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        window_start,
        as_of_period_start
    from evaluations
),

ordered as (
    select
        as_of_periods.*,
        lag(as_of_period_start) over (
            partition by employee_id, plan_id, plan_version_number, component_id, window_start
            order by as_of_period_start
        ) as previous_as_of
    from as_of_periods
),

re_rated as (
    -- The credits of months before the as-of month, at the as-of month and at the one before.
    select
        ordered.employee_id,
        ordered.plan_id,
        ordered.plan_version_number,
        ordered.component_id,
        ordered.window_start,
        ordered.as_of_period_start,
        ordered.previous_as_of,
        max(evaluations.pay_currency) as pay_currency,
        max(evaluations.quota_amount) filter (
            where evaluations.as_of_period_start = ordered.as_of_period_start
        ) as quota_amount,
        max(evaluations.period_bookings) filter (
            where evaluations.as_of_period_start = ordered.as_of_period_start
        ) as period_bookings,
        max(evaluations.period_attainment) filter (
            where evaluations.as_of_period_start = ordered.as_of_period_start
        ) as period_attainment,
        count(distinct evaluations.credit_id) as credit_count,
        coalesce(sum(evaluations.commission_amount) filter (
            where evaluations.as_of_period_start = ordered.as_of_period_start
        ), 0) as earned_to_date,
        coalesce(sum(evaluations.commission_amount) filter (
            where evaluations.as_of_period_start = ordered.previous_as_of
        ), 0) as paid_to_date
    from ordered
    inner join evaluations
        on evaluations.employee_id = ordered.employee_id
        and evaluations.plan_id = ordered.plan_id
        and evaluations.plan_version_number = ordered.plan_version_number
        and evaluations.component_id = ordered.component_id
        and evaluations.window_start = ordered.window_start
        and evaluations.period_start < ordered.as_of_period_start
        and evaluations.as_of_period_start in (ordered.as_of_period_start, ordered.previous_as_of)
    where ordered.previous_as_of is not null
    group by 1, 2, 3, 4, 5, 6, 7
),

final as (
    select
        {{ dbt.hash(
            "'true_up|' || employee_id || '|' || plan_id || '|' || component_id || " ~
            "'|' || as_of_period_start"
        ) }}
            as commission_line_id,
        'true_up' as line_type,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        to_char(as_of_period_start, 'YYYY-MM') as pay_period,
        as_of_period_start as period_start,
        trim_scale(earned_to_date - paid_to_date) as commission_amount,
        pay_currency,
        -- the window, with the line's employee, plan and component
        to_char(window_start, 'YYYY-MM-DD') as evidence_key,
        window_start,
        quota_amount,
        period_bookings,
        period_attainment,
        credit_count,
        trim_scale(earned_to_date) as earned_to_date,
        trim_scale(paid_to_date) as paid_to_date
    from re_rated
    where earned_to_date <> paid_to_date
)

select * from final
