{#
    An amount (a quota, a month of target incentive, a draw) for the part of its period a
    plan version counts: all of it, or, when the version prorates hires, terminations
    and/or unpaid leave, the period's days less those before the hire date, after the
    termination date and/or on unpaid leave (within the employment), over the period's
    days. So a hire on the 15th of a 30-day month carries 16/30 of that month's quota,
    target incentive and draw.
#}
{% macro prorated_amount(amount, period_days, days_off, flags) %}
    {#- days_off and flags: (hire, termination, unpaid_leave) expressions, in that order.
        Multiplied before it is divided: 30,000 x 16 / 30 is exactly 16,000. -#}
    case
        when {% for flag in flags %}coalesce({{ flag }}, false){{ ' or ' if not loop.last }}{% endfor %} then
            ({{ amount }}) * (
                {{ period_days }}
                {%- for flag in flags %}
                - case when coalesce({{ flag }}, false) then {{ days_off[loop.index0] }} else 0 end
                {%- endfor %}
            ) / {{ period_days }}
        else ({{ amount }})
    end
{% endmacro %}

{# A monthly quota row of int_plan_quota_months (alias quota_month), prorated by the
   flags of a plan version (alias `version`: prorate_hire, prorate_termination,
   prorate_unpaid_leave columns). On a quota month, hire and termination mean the start
   and end on the plan: a move onto or off it mid-month counts like a hire or a leaver. #}
{% macro prorated_month(amount, quota_month, version) %}
    {{ prorated_amount(
        amount,
        quota_month ~ '.month_days',
        [quota_month ~ '.days_before_start', quota_month ~ '.days_after_end',
         quota_month ~ '.days_on_unpaid_leave'],
        [version ~ '.prorate_hire', version ~ '.prorate_termination', version ~ '.prorate_unpaid_leave']
    ) }}
{% endmacro %}

{# An amount for a period [period_start, period_end] of the person in row `row` (its
   employee_id, the first and last day they are on the plan in the period, on_plan_from
   and on_plan_to (null: no end), and the version's prorate_hire, prorate_termination and
   prorate_unpaid_leave columns): a draw period, an MBO period. Like a quota month, a move
   onto the plan counts as a hire and a move off it as a termination. #}
{% macro prorated_on_plan(amount, row, period_start, period_end) %}
    {%- set start = row ~ '.' ~ period_start -%}
    {%- set end = row ~ '.' ~ period_end -%}
    {{ prorated_amount(
        amount,
        '(' ~ end ~ ' - ' ~ start ~ ' + 1)',
        [
            days_before_hire(start, end, row ~ '.on_plan_from'),
            days_after_termination(start, end, row ~ '.on_plan_to'),
            days_on_unpaid_leave(row ~ '.employee_id', start, end, row ~ '.on_plan_from', row ~ '.on_plan_to')
        ],
        [row ~ '.prorate_hire', row ~ '.prorate_termination', row ~ '.prorate_unpaid_leave']
    ) }}
{% endmacro %}

{# A query for a lateral join: the first day (on_plan_from) and the last day (on_plan_to,
   null while open) a person is employed and on a plan in [period_start, period_end], from
   the assignments on the plan that overlap the period (CTE `assignments`,
   int_employee_assignments): the first start and the last end among them, like
   int_plan_quota_months. #}
{% macro on_plan_bounds(employee_id, plan_id, period_start, period_end, hire_date, termination_date) %}
    select
        greatest({{ hire_date }}, min(on_plan.valid_from)) as on_plan_from,
        -- least() skips nulls: an open assignment or no termination is no end
        least(
            {{ termination_date }},
            case when bool_or(on_plan.valid_to is null) then null else max(on_plan.valid_to) end
        ) as on_plan_to
    from assignments as on_plan
    where on_plan.employee_id = {{ employee_id }}
        and on_plan.plan_id = {{ plan_id }}
        and on_plan.valid_from <= {{ period_end }}
        and (on_plan.valid_to is null or on_plan.valid_to >= {{ period_start }})
{% endmacro %}

{# Days of [period_start, period_end] before hire_date, and after termination_date (null: none). #}
{% macro days_before_hire(period_start, period_end, hire_date) %}
    greatest(0, least({{ hire_date }}, {{ period_end }} + 1) - {{ period_start }})
{% endmacro %}

{% macro days_after_termination(period_start, period_end, termination_date) %}
    {#- greatest() skips nulls: without a termination date no day is after it -#}
    case
        when {{ termination_date }} is null then 0
        else greatest(0, {{ period_end }} - greatest({{ termination_date }}, {{ period_start }} - 1))
    end
{% endmacro %}

{# Days of [period_start, period_end] the person (employee_id) is employed and on unpaid
   leave (stg_hr__leaves, CTE `leaves`): each day once, however many leaves cover it. #}
{% macro days_on_unpaid_leave(employee_id, period_start, period_end, hire_date, termination_date) %}
    coalesce((
        select count(distinct leave_day)
        from leaves
        cross join lateral generate_series(
            greatest(leaves.start_date, {{ period_start }}, {{ hire_date }}),
            least(
                coalesce(leaves.end_date, {{ period_end }}),
                {{ period_end }},
                coalesce({{ termination_date }}, {{ period_end }})
            ),
            interval '1 day'
        ) as leave_day
        where leaves.employee_id = {{ employee_id }}
            and not leaves.is_paid
    ), 0)
{% endmacro %}
