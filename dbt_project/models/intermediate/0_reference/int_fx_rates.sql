-- Rate to USD per currency and day (1 unit of currency = usd_rate USD). USD itself is
-- not listed: its rate is 1 by definition.

with fx_rates as (
    select * from {{ ref('stg_hr__fx_rates') }}
),

to_usd as (
    select
        from_currency as currency,
        rate_date,
        rate as usd_rate,
        fx_rate_row_id
    from fx_rates
    where to_currency = 'USD'
        and from_currency <> 'USD'
)

select * from to_usd
