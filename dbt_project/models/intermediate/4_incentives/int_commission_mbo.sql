-- Management-by-objectives (MBO) lines: a component with measure mbo_score pays its share
-- of the target incentive at the person's score (hr/mbo_scores.csv) for one of its quota
-- periods, read off the component's payout curve:
--   mbo line = target_incentive x weight x months of the period / 12 x prorated share
--              x C(score) x fx
-- where C is the curve from (0, 0) through its points, flat after the last one and held
-- at the attainment cap; below the threshold C is 0. The score must be for a whole quota
-- period of the component (a quarter's score for a quarterly component). The plan and
-- version are the person's on the period's last day; the line lands in that month and
-- converts at its last day, like a bonus. The version's proration takes the days before
-- a hire or a move onto the plan, after a termination or a move off it, or on unpaid leave
-- out of the period. A score of a person
-- on such a component that cannot pay says why (mbo_problem; the data test stops the run
-- rather than pay around it). Nothing is rounded here.

{{ config(materialized='table', schema='pay_lines') }}

with scores as (
    select * from {{ ref('stg_hr__mbo_scores') }}
),

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
),

components as (
    select * from {{ ref('int_plan_components') }}
    where measure = 'mbo_score'
),

bands as (
    select * from {{ ref('int_plan_rate_bands') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

leaves as (
    select * from {{ ref('stg_hr__leaves') }}
),

scored as (
    -- each score, with the person's plan on the period's last day
    select
        scores.*,
        employees.pay_currency,
        employees.hire_date,
        employees.termination_date,
        assignment.plan_id
    from scores
    inner join employees
        on employees.employee_id = scores.employee_id
    left join lateral (
        select assignments.plan_id
        from assignments
        where assignments.employee_id = scores.employee_id
            and assignments.valid_from <= scores.period_end
            and (assignments.valid_to is null or scores.period_end <= assignments.valid_to)
        order by assignments.valid_from desc
        limit 1
    ) as assignment on true
),

on_component as (
    select
        scored.*,
        components.version_number as plan_version_number,
        components.plan_version,
        components.component_id,
        components.component_name,
        components.weight,
        components.target_incentive,
        components.plan_currency,
        components.quota_period,
        components.threshold_attainment,
        components.cap_attainment,
        components.prorate_hire,
        components.prorate_termination,
        components.prorate_unpaid_leave,
        components.is_computed,
        components.computed_gap,
        (
            date_trunc(components.quota_period, scored.period_start)::date = scored.period_start
            and (scored.period_start + {{ period_length('components.quota_period') }} - interval '1 day')::date
                = scored.period_end
        ) as is_whole_quota_period,
        {{ period_months('components.quota_period') }} as period_months
    from scored
    inner join components
        on components.plan_id = scored.plan_id
        and components.effective_from <= scored.period_end
        and (components.effective_to is null or components.effective_to >= scored.period_end)
),

curve_values as (
    -- C(score): what each segment of the curve adds up to the score (capped), summed
    select
        on_component.employee_id,
        on_component.period_start,
        on_component.component_id,
        sum(
            case
                when bands.curve_attainment_to is null then 0::numeric
                else greatest(
                    0::numeric,
                    least(on_component.score, bands.attainment_to) - bands.attainment_from
                ) * (bands.payout_to - bands.payout_from) / (bands.curve_attainment_to - bands.curve_attainment_from)
            end
        ) as curve_value
    from on_component
    inner join bands
        on bands.plan_id = on_component.plan_id
        and bands.version_number = on_component.plan_version_number
        and bands.component_id = on_component.component_id
        and not bands.is_above_cap
    group by 1, 2, 3
),

valued as (
    select
        on_component.*,
        coalesce(curve_values.curve_value, 0) as curve_value,
        on_component.threshold_attainment is null
            or on_component.score >= on_component.threshold_attainment as threshold_met,
        {{ prorated_on_plan('1::numeric', 'on_plan', 'period_start', 'period_end') }} as proration_share,
        date_trunc('month', on_component.period_end)::date as line_period_start
    from on_component
    cross join lateral (
        select
            on_component.employee_id,
            on_component.period_start,
            on_component.period_end,
            on_component.prorate_hire,
            on_component.prorate_termination,
            on_component.prorate_unpaid_leave,
            bounds.on_plan_from,
            bounds.on_plan_to
        from (
            {{ on_plan_bounds('on_component.employee_id', 'on_component.plan_id', 'on_component.period_start',
                              'on_component.period_end', 'on_component.hire_date', 'on_component.termination_date') }}
        ) as bounds
    ) as on_plan
    left join curve_values
        on curve_values.employee_id = on_component.employee_id
        and curve_values.period_start = on_component.period_start
        and curve_values.component_id = on_component.component_id
),

with_fx as (
    select
        valued.*,
        {{ fx_rate_between('to_pay_fx', 'valued.plan_currency', 'valued.pay_currency') }}
            as target_incentive_fx_rate
    from valued
    {{ fx_rate_joins('to_pay_fx', 'valued.plan_currency', 'valued.pay_currency', 'valued.period_end') }}
),

assessed as (
    select
        with_fx.*,
        case
            when not is_computed then computed_gap
            when not is_whole_quota_period then 'score_period_is_not_a_quota_period'
            when target_incentive_fx_rate is null then 'missing_fx_rate'
        end as mbo_problem
    from with_fx
),

final as (
    select
        {{ dbt.hash("'mbo|' || employee_id || '|' || plan_id || '|' || component_id || '|' || period_start") }}
            as commission_line_id,
        'mbo' as line_type,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        to_char(line_period_start, 'YYYY-MM') as pay_period,
        line_period_start as period_start,
        case
            when mbo_problem is not null then null
            when not threshold_met then 0::numeric
            else trim_scale(
                target_incentive * coalesce(weight, 1) * period_months * proration_share * curve_value
                * target_incentive_fx_rate / 12
            )
        end as commission_amount,
        pay_currency,
        -- the score's row in raw_hr.mbo_scores
        mbo_score_row_id::text as evidence_key,
        plan_version,
        component_name,
        period_start as scored_period_start,
        period_end as scored_period_end,
        score,
        scored_by,
        score_comment,
        weight as component_weight,
        target_incentive,
        plan_currency as target_incentive_currency,
        trim_scale(target_incentive_fx_rate) as target_incentive_fx_rate,
        period_end as target_incentive_fx_date,
        period_months,
        trim_scale(proration_share) as proration_share,
        trim_scale(period_months * proration_share) as target_incentive_months,
        threshold_attainment,
        threshold_met,
        cap_attainment,
        trim_scale(curve_value) as curve_value,
        mbo_problem,
        mbo_problem is null as is_payable,
        mbo_score_row_id,
        source_batch_id,
        source_file,
        source_line
    from assessed
)

select * from final
