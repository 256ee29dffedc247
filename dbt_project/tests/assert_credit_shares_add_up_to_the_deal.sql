{{ config(severity='warn') }}
-- The shares credited for a deal add up to 100% (Revenue splits summing to 100, or
-- the owner alone). The quality gate holds deals whose splits do not; warn if one
-- gets through (for example when some of its splits were quarantined).
select opportunity_id, sum(split_share) as total_share
from {{ ref('int_credits') }}
group by opportunity_id
having sum(split_share) <> 1
