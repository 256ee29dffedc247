-- Caps on money: a line that takes back what a component earned above its cap, so the
-- payout is still the plain sum of explained lines.
--   per_deal_cap:   a deal credit's commission on the component above caps.per_deal,
--                   over all the invoices or payments it is paid at (in date order: an
--                   event takes back what it pushed the deal above the cap);
--   per_period_cap: the month's commission on the component (after per-deal caps, with
--                   the month's true-up on a cumulative component) above caps.per_period;
--   per_year_cap:   the calendar year's commission on the component to date (after
--                   per-deal and per-period caps, with the true-ups) above caps.per_year;
--                   with a cumulative true-up that is what the year's credits earn at the
--                   latest month, so the year pays min(earned to date, cap); a month's line is
--                   what that excess grew by since the component's previous month of the
--                   year. The yearly cap converts once a year, at the year's first day in
--                   the FX rates, so the cap in the pay currency does not move with the
--                   rates and a month never gives back or takes more than it earned.
-- Caps are written in the plan currency and converted to the person's pay currency at
-- round(usd_rate(plan currency) / usd_rate(pay currency), 10), like credits: a per-deal
-- cap at the deal's close date (fx_rate_date: credit_date) or its close month's last day
-- (period_end), a per-period cap at the month's last day. Each cap line records the
-- cap, the rate and the day used; a per-deal cap line also names the deal credit it caps
-- (int_measure_credits), so it is explained beside the deal's commission lines. Nothing is
-- rounded here.

{{ config(materialized='table', schema='pay_lines') }}

with earned as (
    -- the contract's columns only: the evidence (jsonb of each kind's row) is not needed
    -- here, and this CTE is read twice, so PostgreSQL would build it for every line
    select
        line_type,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        pay_period,
        period_start,
        commission_amount,
        pay_currency,
        evidence_key
    from {{ ref('int_earned_lines') }}
),

measure_credits as (
    -- the deal credit a commission line is on, and what a per-deal cap line shows of it
    select
        credit_id,
        deal_credit_id,
        deal_close_date,
        credit_date,
        opportunity_id,
        split_id,
        credit_type,
        rollup_from_employee_id,
        split_share,
        deal_amount,
        deal_currency,
        measure,
        credit_event,
        credit_event_id,
        opportunity_row_id,
        split_row_id,
        source_batch_id,
        source_file,
        source_line
    from {{ ref('int_measure_credits') }}
),

lines as (
    -- the commission lines, in the pay-line contract, with the deal credit each is on
    select
        earned.employee_id,
        earned.plan_id,
        earned.plan_version_number,
        earned.component_id,
        earned.pay_period,
        earned.period_start,
        earned.commission_amount,
        earned.pay_currency,
        measure_credits.credit_id,
        measure_credits.deal_credit_id,
        measure_credits.deal_close_date,
        measure_credits.credit_date
    from earned
    inner join measure_credits
        on measure_credits.credit_id = earned.evidence_key
    where earned.line_type = 'commission'
),

components as (
    select * from {{ ref('int_plan_components') }}
    where is_computed
        and (cap_per_deal is not null or cap_per_period is not null or cap_per_year is not null)
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

true_ups as (
    select * from earned
    where line_type = 'true_up'
),

capped_lines as (
    -- Each line of a capped component, with the days its caps convert at.
    select
        lines.*,
        components.cap_per_deal,
        components.cap_per_period,
        components.cap_per_year,
        components.plan_currency as cap_currency,
        -- a deal's cap converts once, at its close (every invoice or payment it pays at
        -- is capped against the same amount)
        {{ plan_fx_date('components.fx_rate_date', 'lines.deal_close_date') }} as deal_cap_fx_date,
        (lines.period_start + interval '1 month' - interval '1 day')::date as period_cap_fx_date
    from lines
    inner join components
        on components.plan_id = lines.plan_id
        and components.version_number = lines.plan_version_number
        and components.component_id = lines.component_id
),

year_fx_days as (
    -- The day a yearly cap converts at: the first day of its year in the FX rates.
    select
        date_trunc('year', rate_date)::date as year_start,
        min(rate_date) as fx_day
    from fx_rates
    group by 1
),

conversion_days as (
    select cap_currency, pay_currency, deal_cap_fx_date as cap_fx_date
    from capped_lines
    where cap_per_deal is not null
    union
    select cap_currency, pay_currency, period_cap_fx_date as cap_fx_date
    from capped_lines
    where cap_per_period is not null
    union
    select capped_lines.cap_currency, capped_lines.pay_currency, year_fx_days.fx_day as cap_fx_date
    from capped_lines
    inner join year_fx_days
        on year_fx_days.year_start = date_trunc('year', capped_lines.period_start)::date
    where capped_lines.cap_per_year is not null
),

cap_fx as (
    -- The rate of every conversion a cap needs.
    select
        conversion_days.*,
        {{ fx_rate_between('to_pay_fx', 'conversion_days.cap_currency', 'conversion_days.pay_currency') }}
            as cap_fx_rate
    from conversion_days
    {{ fx_rate_joins(
        'to_pay_fx', 'conversion_days.cap_currency', 'conversion_days.pay_currency', 'conversion_days.cap_fx_date'
    ) }}
),

deal_caps as (
    -- Each event's commission on the component (one per deal credit on the booking
    -- trigger; one per invoice or payment on the others).
    select
        credit_id,
        deal_credit_id,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        period_start,
        pay_period,
        pay_currency,
        credit_date,
        sum(commission_amount) as amount_before_cap,
        cap_per_deal as cap_amount,
        cap_currency,
        deal_cap_fx_date as cap_fx_date
    from capped_lines
    where cap_per_deal is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14
),

deal_excess as (
    -- What the deal credit has earned on the component to date, after each event in date order.
    select
        deal_caps.*,
        cap_fx.cap_fx_rate,
        deal_caps.cap_amount * cap_fx.cap_fx_rate as cap_in_pay_currency,
        sum(deal_caps.amount_before_cap) over deal_to_date as earned_after
    from deal_caps
    left join cap_fx
        on cap_fx.cap_currency = deal_caps.cap_currency
        and cap_fx.pay_currency = deal_caps.pay_currency
        and cap_fx.cap_fx_date = deal_caps.cap_fx_date
    window deal_to_date as (
        partition by deal_caps.deal_credit_id, deal_caps.component_id
        order by deal_caps.credit_date, deal_caps.credit_id
        rows between unbounded preceding and current row
    )
),

deal_cap_lines as (
    -- An event takes back what it pushed the deal above its cap.
    select
        credit_id,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        period_start,
        pay_period,
        pay_currency,
        amount_before_cap,
        cap_amount,
        cap_currency,
        cap_fx_date,
        cap_fx_rate,
        'per_deal_cap' as line_type,
        cap_in_pay_currency,
        -- greatest() skips nulls: without a rate the line must stay unknown (null), not 0
        case
            when cap_fx_rate is not null then
                greatest(0::numeric, earned_after - amount_before_cap - cap_in_pay_currency)
                - greatest(0::numeric, earned_after - cap_in_pay_currency)
        end as commission_amount
    from deal_excess
),

deal_caps_taken as (
    {{ cap_taken_by('deal_cap_lines') }}
),

before_period_cap as (
    -- What a month adds to its component's lines before the per-period cap: the per-deal
    -- caps' take and, on a cumulative component, the true-up.
    select employee_id, plan_id, component_id, period_start, sum(amount) as amount
    from (
        select employee_id, plan_id, component_id, period_start, taken as amount from deal_caps_taken
        union all
        select employee_id, plan_id, component_id, period_start, commission_amount from true_ups
    ) as additions
    group by 1, 2, 3, 4
),

period_caps as (
    -- What the month earned on the component once each deal is within its cap.
    select
        null::text as credit_id,
        capped_lines.employee_id,
        capped_lines.plan_id,
        capped_lines.plan_version_number,
        capped_lines.component_id,
        capped_lines.period_start,
        capped_lines.pay_period,
        capped_lines.pay_currency,
        sum(capped_lines.commission_amount) + coalesce(max(before_period_cap.amount), 0) as amount_before_cap,
        capped_lines.cap_per_period as cap_amount,
        capped_lines.cap_currency,
        capped_lines.period_cap_fx_date as cap_fx_date
    from capped_lines
    left join before_period_cap
        on before_period_cap.employee_id = capped_lines.employee_id
        and before_period_cap.plan_id = capped_lines.plan_id
        and before_period_cap.component_id = capped_lines.component_id
        and before_period_cap.period_start = capped_lines.period_start
    where capped_lines.cap_per_period is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12
),

period_cap_lines as (
    {{ cap_lines_of('period_caps', 'per_period_cap') }}
),

period_caps_taken as (
    {{ cap_taken_by('period_cap_lines') }}
),

before_year_cap as (
    -- ... and the per-period cap's take, before the per-year cap
    select employee_id, plan_id, component_id, period_start, sum(amount) as amount
    from (
        select employee_id, plan_id, component_id, period_start, amount from before_period_cap
        union all
        select employee_id, plan_id, component_id, period_start, taken from period_caps_taken
    ) as additions
    group by 1, 2, 3, 4
),

year_months as (
    -- What each month earned on a component with a yearly cap, after the other caps.
    select
        capped_lines.employee_id,
        capped_lines.plan_id,
        max(capped_lines.plan_version_number) as plan_version_number,
        capped_lines.component_id,
        capped_lines.period_start,
        capped_lines.pay_period,
        capped_lines.pay_currency,
        date_trunc('year', capped_lines.period_start)::date as year_start,
        sum(capped_lines.commission_amount) + coalesce(max(before_year_cap.amount), 0) as month_amount,
        max(capped_lines.cap_per_year) as cap_amount,
        max(capped_lines.cap_currency) as cap_currency,
        max(year_fx_days.fx_day) as cap_fx_date
    from capped_lines
    left join year_fx_days
        on year_fx_days.year_start = date_trunc('year', capped_lines.period_start)::date
    left join before_year_cap
        on before_year_cap.employee_id = capped_lines.employee_id
        and before_year_cap.plan_id = capped_lines.plan_id
        and before_year_cap.component_id = capped_lines.component_id
        and before_year_cap.period_start = capped_lines.period_start
    where capped_lines.cap_per_year is not null
    group by 1, 2, 4, 5, 6, 7, 8
),

year_excess as (
    select
        year_months.*,
        cap_fx.cap_fx_rate,
        year_months.cap_amount * cap_fx.cap_fx_rate as cap_in_pay_currency,
        sum(year_months.month_amount) over year_to_date as amount_before_cap,
        -- greatest() skips nulls: without a rate the excess must stay unknown (null), not 0.
        case
            when cap_fx.cap_fx_rate is not null then greatest(
                0::numeric,
                sum(year_months.month_amount) over year_to_date - year_months.cap_amount * cap_fx.cap_fx_rate
            )
        end as excess
    from year_months
    left join cap_fx
        on cap_fx.cap_currency = year_months.cap_currency
        and cap_fx.pay_currency = year_months.pay_currency
        and cap_fx.cap_fx_date = year_months.cap_fx_date
    window year_to_date as (
        partition by year_months.employee_id, year_months.plan_id, year_months.component_id, year_months.year_start
        order by year_months.period_start
    )
),

year_cap_lines as (
    select
        null::text as credit_id,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        period_start,
        pay_period,
        pay_currency,
        amount_before_cap,
        cap_amount,
        cap_currency,
        cap_fx_date,
        cap_fx_rate,
        'per_year_cap' as line_type,
        cap_in_pay_currency,
        -(excess - coalesce(lag(excess) over (
            partition by employee_id, plan_id, component_id, year_start order by period_start
        ), 0)) as commission_amount
    from year_excess
),

cap_lines as (
    -- A missing FX rate leaves the cap unknown: keep the line (commission null) so the
    -- not_null test on fct_commission_lines stops the run instead of paying uncapped.
    select * from deal_cap_lines
    where commission_amount < 0 or commission_amount is null
    union all
    select * from period_cap_lines
    where commission_amount < 0 or commission_amount is null
    union all
    select * from year_cap_lines
    where commission_amount <> 0 or commission_amount is null
),

final as (
    select
        {{ dbt.hash(
            "cap_lines.line_type || '|' || cap_lines.employee_id || '|' || cap_lines.plan_id || '|' || " ~
            "cap_lines.component_id || '|' || cap_lines.period_start || '|' || coalesce(cap_lines.credit_id, '')"
        ) }}
            as commission_line_id,
        cap_lines.line_type,
        cap_lines.employee_id,
        cap_lines.plan_id,
        cap_lines.plan_version_number,
        cap_lines.component_id,
        cap_lines.pay_period,
        cap_lines.period_start,
        trim_scale(cap_lines.commission_amount) as commission_amount,
        cap_lines.pay_currency,
        -- the capped deal credit, or the capped month
        coalesce(cap_lines.credit_id, cap_lines.pay_period) as evidence_key,
        cap_lines.credit_id,
        trim_scale(cap_lines.amount_before_cap) as amount_before_cap,
        cap_lines.cap_amount,
        cap_lines.cap_currency,
        trim_scale(cap_lines.cap_fx_rate) as cap_fx_rate,
        cap_lines.cap_fx_date,
        trim_scale(cap_lines.cap_in_pay_currency) as cap_in_pay_currency,
        measure_credits.opportunity_id,
        measure_credits.split_id,
        measure_credits.credit_type,
        measure_credits.rollup_from_employee_id,
        measure_credits.split_share,
        measure_credits.credit_date,
        measure_credits.deal_amount,
        measure_credits.deal_currency,
        measure_credits.measure,
        measure_credits.credit_event,
        measure_credits.credit_event_id,
        measure_credits.opportunity_row_id,
        measure_credits.split_row_id,
        measure_credits.source_batch_id,
        measure_credits.source_file,
        measure_credits.source_line
    from cap_lines
    left join measure_credits
        on measure_credits.credit_id = cap_lines.credit_id
)

select * from final
