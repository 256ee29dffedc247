{#-
    Cap lines of int_commission_caps, one per row of the CTE `caps` (amount_before_cap,
    cap_amount, cap_currency, pay_currency, cap_fx_date): converted at the rate of its day
    (the model's `cap_fx` CTE), a line takes back what was earned above the cap.
    least() skips nulls: without a rate the line must stay unknown (null), not 0.
-#}
{% macro cap_lines_of(caps, line_type) %}
    select
        {{ caps }}.*,
        cap_fx.cap_fx_rate,
        '{{ line_type }}' as line_type,
        {{ caps }}.cap_amount * cap_fx.cap_fx_rate as cap_in_pay_currency,
        case
            when cap_fx.cap_fx_rate is not null
                then least(0::numeric, {{ caps }}.cap_amount * cap_fx.cap_fx_rate - {{ caps }}.amount_before_cap)
        end as commission_amount
    from {{ caps }}
    left join cap_fx
        on cap_fx.cap_currency = {{ caps }}.cap_currency
        and cap_fx.pay_currency = {{ caps }}.pay_currency
        and cap_fx.cap_fx_date = {{ caps }}.cap_fx_date
{% endmacro %}

{#- What a kind of cap line took back from each component and month (null when unknown). -#}
{% macro cap_taken_by(cap_lines) %}
    select
        employee_id,
        plan_id,
        component_id,
        period_start,
        sum(commission_amount) filter (where commission_amount < 0 or commission_amount is null) as taken
    from {{ cap_lines }}
    group by 1, 2, 3, 4
{% endmacro %}
