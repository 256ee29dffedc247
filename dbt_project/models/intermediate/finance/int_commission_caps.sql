-- Caps on money: a line that takes back what a component earned above its cap, so the
-- payout is still the plain sum of explained lines.
--   per_deal_cap:   a credit's commission on the component above caps.per_deal;
--   per_period_cap: the month's commission on the component (after per-deal caps)
--                   above caps.per_period.
-- Caps are written in the plan currency and converted to the person's pay currency at
-- round(usd_rate(plan currency) / usd_rate(pay currency), 10), like credits: a per-deal
-- cap at the credit date (fx_rate_date: credit_date) or the month's last day
-- (period_end), a per-period cap at the month's last day. Each cap line records the
-- cap, the rate and the day used. Nothing is rounded here.

with lines as (
    select * from {{ ref('int_commission_lines') }}
),

components as (
    select * from {{ ref('int_plan_components') }}
    where is_computed
        and (cap_per_deal is not null or cap_per_period is not null)
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

deal_commission as (
    select
        lines.credit_id,
        lines.employee_id,
        lines.plan_id,
        lines.plan_version_number,
        lines.component_id,
        lines.period_start,
        lines.pay_period,
        lines.pay_currency,
        sum(lines.commission_amount) as amount_before_cap,
        components.cap_per_deal as cap_amount,
        components.plan_currency as cap_currency,
        case
            when components.fx_rate_date = 'credit_date' then lines.credit_date
            else (lines.period_start + interval '1 month' - interval '1 day')::date
        end as cap_fx_date
    from lines
    inner join components
        on components.plan_id = lines.plan_id
        and components.version_number = lines.plan_version_number
        and components.component_id = lines.component_id
    where components.cap_per_deal is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12
),

deal_caps as (
    select
        deal_commission.*,
        {{ cross_rate('deal_commission.cap_currency', 'deal_commission.pay_currency', 'cap_fx.usd_rate', 'pay_fx.usd_rate') }}
            as cap_fx_rate
    from deal_commission
    left join fx_rates as cap_fx
        on cap_fx.currency = deal_commission.cap_currency
        and cap_fx.rate_date = deal_commission.cap_fx_date
    left join fx_rates as pay_fx
        on pay_fx.currency = deal_commission.pay_currency
        and pay_fx.rate_date = deal_commission.cap_fx_date
),

deal_cap_lines as (
    select
        deal_caps.*,
        'per_deal_cap' as line_type,
        deal_caps.cap_amount * deal_caps.cap_fx_rate as cap_in_pay_currency,
        least(0::numeric, deal_caps.cap_amount * deal_caps.cap_fx_rate - deal_caps.amount_before_cap)
            as commission_amount
    from deal_caps
),

deal_caps_taken as (
    select
        employee_id,
        plan_id,
        component_id,
        period_start,
        sum(commission_amount) as taken
    from deal_cap_lines
    group by 1, 2, 3, 4
),

period_commission as (
    -- What the month earned on the component once each deal is within its cap.
    select
        null::text as credit_id,
        lines.employee_id,
        lines.plan_id,
        lines.plan_version_number,
        lines.component_id,
        lines.period_start,
        lines.pay_period,
        lines.pay_currency,
        sum(lines.commission_amount) + coalesce(max(deal_caps_taken.taken), 0) as amount_before_cap,
        components.cap_per_period as cap_amount,
        components.plan_currency as cap_currency,
        (lines.period_start + interval '1 month' - interval '1 day')::date as cap_fx_date
    from lines
    inner join components
        on components.plan_id = lines.plan_id
        and components.version_number = lines.plan_version_number
        and components.component_id = lines.component_id
    left join deal_caps_taken
        on deal_caps_taken.employee_id = lines.employee_id
        and deal_caps_taken.plan_id = lines.plan_id
        and deal_caps_taken.component_id = lines.component_id
        and deal_caps_taken.period_start = lines.period_start
    where components.cap_per_period is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12
),

period_caps as (
    select
        period_commission.*,
        {{ cross_rate('period_commission.cap_currency', 'period_commission.pay_currency', 'cap_fx.usd_rate', 'pay_fx.usd_rate') }}
            as cap_fx_rate
    from period_commission
    left join fx_rates as cap_fx
        on cap_fx.currency = period_commission.cap_currency
        and cap_fx.rate_date = period_commission.cap_fx_date
    left join fx_rates as pay_fx
        on pay_fx.currency = period_commission.pay_currency
        and pay_fx.rate_date = period_commission.cap_fx_date
),

period_cap_lines as (
    select
        period_caps.*,
        'per_period_cap' as line_type,
        period_caps.cap_amount * period_caps.cap_fx_rate as cap_in_pay_currency,
        least(0::numeric, period_caps.cap_amount * period_caps.cap_fx_rate - period_caps.amount_before_cap)
            as commission_amount
    from period_caps
),

cap_lines as (
    -- A missing FX rate leaves the cap unknown: keep the line (commission null) so the
    -- not_null test on fct_commission_lines stops the run instead of paying uncapped.
    select * from deal_cap_lines
    where commission_amount < 0 or commission_amount is null
    union all
    select * from period_cap_lines
    where commission_amount < 0 or commission_amount is null
),

final as (
    select
        {{ dbt.hash("line_type || '|' || employee_id || '|' || plan_id || '|' || component_id || '|' || period_start || '|' || coalesce(credit_id, '')") }}
            as commission_line_id,
        line_type,
        credit_id,
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        period_start,
        pay_period,
        pay_currency,
        trim_scale(amount_before_cap) as amount_before_cap,
        cap_amount,
        cap_currency,
        trim_scale(cap_fx_rate) as cap_fx_rate,
        cap_fx_date,
        trim_scale(cap_in_pay_currency) as cap_in_pay_currency,
        trim_scale(commission_amount) as commission_amount
    from cap_lines
)

select * from final
