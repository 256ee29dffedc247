{{ config(severity='warn') }}
-- The shares credited for a deal add up to 100% (Revenue splits summing to 100, or
-- the owner alone). The quality gate holds deals whose splits do not; warn if one
-- gets through (for example when some of its splits were quarantined). Manager roll-up
-- credits repeat those shares for the reporting line, and overlay credits give a
-- specialist the whole deal beside its owners: both are left out of the sum.
select opportunity_id, sum(split_share) as total_share
from {{ ref('int_credits') }}
where credit_type in ('owner', 'revenue_split')
group by opportunity_id
having sum(split_share) <> 1
