{{ config(severity='warn') }}
-- Two assignments of one person covering the same day make the plan ambiguous
-- (int_credits then takes the later one). Warn so HR can fix the history.
select a.employee_id, a.valid_from, a.valid_to, b.valid_from as other_from, b.valid_to as other_to
from {{ ref('int_employee_assignments') }} as a
inner join {{ ref('int_employee_assignments') }} as b
    on b.employee_id = a.employee_id
    and b.valid_from > a.valid_from
    and b.valid_from <= coalesce(a.valid_to, date '9999-12-31')
