{#
    The share of a period a plan version counts for a person: 1, or, when the version
    prorates hires and/or terminations, the period's days less those before the hire date
    and/or after the termination date, over the period's days. Quota, the months of target
    incentive it stands for and a draw are multiplied by it, so a hire on the 15th of a
    30-day month carries 16/30 of that month's quota, target incentive and draw.
#}
{% macro prorated_amount(amount, period_days, days_before_hire, days_after_termination, prorate_hire, prorate_termination) %}
    {#- multiplied before it is divided: 30,000 x 16 / 30 is exactly 16,000 -#}
    case
        when coalesce({{ prorate_hire }}, false) or coalesce({{ prorate_termination }}, false) then
            ({{ amount }}) * (
                {{ period_days }}
                - case when coalesce({{ prorate_hire }}, false) then {{ days_before_hire }} else 0 end
                - case when coalesce({{ prorate_termination }}, false) then {{ days_after_termination }} else 0 end
            ) / {{ period_days }}
        else ({{ amount }})
    end
{% endmacro %}

{# A monthly quota row of int_plan_quota_months (alias quota_month) times its prorated share. #}
{% macro prorated_month(amount, quota_month, prorate_hire, prorate_termination) %}
    {{ prorated_amount(
        amount, quota_month ~ '.month_days', quota_month ~ '.days_before_hire',
        quota_month ~ '.days_after_termination', prorate_hire, prorate_termination
    ) }}
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
