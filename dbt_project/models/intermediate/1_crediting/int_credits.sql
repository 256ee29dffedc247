-- One row per credit: a Closed Won deal, or a region booking, credited to one person,
-- from the crediting jobs, each its own model:
--   int_owner_credits    each Revenue split owner by split_percent, else the owner 100 %
--                        (credit_type revenue_split, owner);
--   int_rollup_credits   the same share again for each manager above them on the close
--                        date (manager_rollup), kept here only when the manager's plan
--                        version in force that day has a manager_rollup component;
--   int_overlay_credits  the whole deal for a specialist whose overlay rules it meets
--                        (overlay);
--   int_region_credits   a region's bookings (its deals of a day in a currency, summed;
--                        int_region_bookings) for each person measured on the region
--                        (region; deal by deal where the plan version pays each deal on its
--                        own).
-- Here each credit is decided once: the person, the assignment and the plan version in
-- force on the credit date, the currency the plan measures credits in (credit_currency:
-- the person's pay currency, or the plan currency when the plan says credit_currency:
-- plan_currency), the deal converted at the close date into it; what it earns converts
-- from there to the pay currency at payout_fx_rate (1 in the pay currency; at the close
-- date or the month's last day, the plan's fx_rate_date). The quota must be in the credit
-- currency. Non-commissionable credits stay here with the reason (they are listed in
-- ops.ops_non_commissionable_credits), never dropped.

{%- set credit_columns = [
    'opportunity_id', 'region_booking_id', 'split_id', 'credited_user_id', 'split_percent', 'split_share',
    'split_row_id', 'account_id', 'deal_amount', 'deal_currency', 'credit_date', 'period_start',
    'opportunity_row_id', 'source_batch_id', 'source_file', 'source_line', 'known_user_id', 'employee_id',
    'credit_type', 'rollup_from_employee_id'
] %}

with employees as (
    select * from {{ ref('stg_hr__employees') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
),

quotas as (
    select * from {{ ref('stg_hr__quotas') }}
    where measure = 'bookings'
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

plan_versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

plans as (
    select * from {{ ref('stg_plans__plans') }}
),

rollup_versions as (
    -- the plan versions that credit managers with their reporting line
    select distinct plan_id, version_number
    from {{ ref('stg_plans__components') }}
    where credit_manager_rollup
),

credits_with_people as (
    {%- for job in ['int_owner_credits', 'int_rollup_credits', 'int_overlay_credits', 'int_region_credits'] %}
    select {{ credit_columns | join(', ') }} from {{ ref(job) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

with_person as (
    select
        credits_with_people.opportunity_id,
        credits_with_people.region_booking_id,
        credits_with_people.split_id,
        credits_with_people.credited_user_id,
        credits_with_people.split_percent,
        credits_with_people.split_share,
        credits_with_people.split_row_id,
        credits_with_people.account_id,
        credits_with_people.deal_amount,
        credits_with_people.deal_currency,
        credits_with_people.credit_date,
        credits_with_people.period_start,
        credits_with_people.opportunity_row_id,
        credits_with_people.source_batch_id,
        credits_with_people.source_file,
        credits_with_people.source_line,
        credits_with_people.known_user_id,
        employees.employee_id,
        employees.pay_currency,
        employees.hire_date,
        employees.termination_date,
        credits_with_people.credit_type,
        credits_with_people.rollup_from_employee_id
    from credits_with_people
    left join employees
        on employees.employee_id = credits_with_people.employee_id
),

with_assignment as (
    -- The assignment covering the credit date (the latest one if HR overlaps them).
    select distinct on (
        with_person.opportunity_id, with_person.region_booking_id, with_person.split_id, with_person.employee_id,
        with_person.credit_type
    )
        with_person.*,
        assignments.assignment_id,
        assignments.role,
        assignments.plan_id,
        assignments.manager_employee_id,
        assignments.territory
    from with_person
    left join assignments
        on assignments.employee_id = with_person.employee_id
        and {{ in_force_on('with_person.credit_date', 'assignments.valid_from', 'assignments.valid_to') }}
    order by
        with_person.opportunity_id, with_person.region_booking_id, with_person.split_id, with_person.employee_id,
        with_person.credit_type, assignments.valid_from desc nulls last
),

with_plan_version as (
    -- The published version of the person's plan in force on the credit date, and the
    -- currency the plan measures credits in (the pay currency without a plan).
    select
        with_assignment.*,
        plan_versions.version_number as plan_version_number,
        plan_versions.plan_version,
        plans.plan_currency,
        case
            when plans.credit_currency = 'plan_currency' then plans.plan_currency
            else with_assignment.pay_currency
        end as credit_currency,
        {{ plan_fx_date('plans.fx_rate_date', 'with_assignment.credit_date') }} as payout_fx_date
    from with_assignment
    left join plan_versions
        on plan_versions.plan_id = with_assignment.plan_id
        and {{ in_force_on(
            'with_assignment.credit_date', 'plan_versions.effective_from', 'plan_versions.effective_to'
        ) }}
    left join plans
        on plans.plan_id = with_assignment.plan_id
),

on_rollup_plans as (
    -- a manager is credited with the line only on a plan version that rolls up
    select with_plan_version.*
    from with_plan_version
    where with_plan_version.credit_type <> 'manager_rollup'
        or exists (
            select 1 from rollup_versions
            where rollup_versions.plan_id = with_plan_version.plan_id
                and rollup_versions.version_number = with_plan_version.plan_version_number
        )
),

with_quota as (
    select
        on_rollup_plans.*,
        quotas.quota_amount,
        quotas.quota_currency,
        quotas.quota_row_id
    from on_rollup_plans
    left join quotas
        on quotas.employee_id = on_rollup_plans.employee_id
        and quotas.period_start = on_rollup_plans.period_start
),

converted as (
    -- the deal into the credit currency on the credit date; what it earns into the pay
    -- currency on the payout FX date
    select
        with_quota.*,
        case when with_quota.deal_currency = 'USD' then 1::numeric else credit_fx_from.usd_rate end as deal_usd_rate,
        {{ fx_rate_between('credit_fx', 'with_quota.deal_currency', 'with_quota.credit_currency') }} as fx_rate,
        {{ fx_rate_between('payout_fx', 'with_quota.credit_currency', 'with_quota.pay_currency') }} as payout_fx_rate
    from with_quota
    {{ fx_rate_joins('credit_fx', 'with_quota.deal_currency', 'with_quota.credit_currency', 'with_quota.credit_date') }}
    {{ fx_rate_joins(
        'payout_fx', 'with_quota.credit_currency', 'with_quota.pay_currency', 'with_quota.payout_fx_date'
    ) }}
),

assessed as (
    select
        converted.*,
        case
            when known_user_id is null or employee_id is null then 'unknown_user'
            when not {{ employed_on('credit_date') }} or hire_date is null then 'not_employed'
            when plan_id is null then 'no_plan'
            when plan_version_number is null then 'no_plan_version'
            when quota_amount is null then 'no_quota'
            when (quota_currency is distinct from credit_currency) then 'quota_currency_mismatch'
            when fx_rate is null or payout_fx_rate is null then 'missing_fx_rate'
        end as non_commissionable_reason
    from converted
),

final as (
    select
        case
            when credit_type = 'manager_rollup'
                then {{ dbt.hash("opportunity_id || '|' || coalesce(split_id, 'owner') || '|rollup|' || employee_id") }}
            -- a region booking's credit by its booking (no one deal)
            when credit_type in ('overlay', 'region')
                then {{ dbt.hash(
                    "coalesce(opportunity_id, region_booking_id) || '|' || credit_type || '|' || employee_id"
                ) }}
            else {{ dbt.hash("opportunity_id || '|' || coalesce(split_id, 'owner')") }}
        end as credit_id,
        opportunity_id,
        region_booking_id,
        split_id,
        credit_type,
        rollup_from_employee_id,
        account_id,
        credited_user_id,
        employee_id,
        credit_date,
        period_start,
        to_char(period_start, 'YYYY-MM') as pay_period,
        deal_amount,
        deal_currency,
        split_percent,
        -- trim_scale drops trailing zeros only (100.0000 -> 100): same value, stable text.
        trim_scale(split_share) as split_share,
        pay_currency,
        plan_currency,
        credit_currency,
        trim_scale(fx_rate) as fx_rate,
        trim_scale(deal_amount * split_share * fx_rate) as credit_amount,
        trim_scale(payout_fx_rate) as payout_fx_rate,
        payout_fx_date,
        trim_scale(deal_amount * split_share * deal_usd_rate) as credit_amount_usd,
        trim_scale(deal_usd_rate) as deal_usd_rate,
        assignment_id,
        role,
        plan_id,
        plan_version_number,
        plan_version,
        manager_employee_id,
        territory,
        quota_amount,
        quota_currency,
        non_commissionable_reason is null as is_commissionable,
        non_commissionable_reason,
        opportunity_row_id,
        split_row_id,
        quota_row_id,
        source_batch_id,
        source_file,
        source_line
    from assessed
)

select * from final
