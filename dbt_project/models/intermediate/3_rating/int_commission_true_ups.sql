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

as_of_months as (
    -- What the window's credits to date earn at each month it re-rates them at. Every
    -- credit of the window is evaluated at each later month with a credit, so what the
    -- previous such month's credits earned there (all of them) is what was paid to date.
    select
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        window_start,
        as_of_period_start,
        max(pay_currency) as pay_currency,
        max(quota_amount) as quota_amount,
        max(period_bookings) as period_bookings,
        max(period_attainment) as period_attainment,
        count(distinct credit_id) filter (where period_start < as_of_period_start) as credit_count,
        coalesce(sum(commission_amount) filter (where period_start < as_of_period_start), 0) as earned_to_date,
        coalesce(sum(commission_amount), 0) as earned_at_month
    from evaluations
    group by 1, 2, 3, 4, 5, 6
),

re_rated as (
    -- The credits of months before the as-of month, at the as-of month and at the one before.
    select
        as_of_months.*,
        lag(as_of_period_start) over by_window as previous_as_of,
        lag(earned_at_month) over by_window as paid_to_date
    from as_of_months
    window by_window as (
        partition by employee_id, plan_id, plan_version_number, component_id, window_start
        order by as_of_period_start
    )
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
    where previous_as_of is not null
        and earned_to_date <> paid_to_date
)

select * from final
