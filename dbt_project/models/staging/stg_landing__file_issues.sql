with file_issues as (
    select * from {{ source('landing', 'file_issues') }}
)

select
    file_sha256,
    cast(null as integer) as row_number,
    rule,
    severity,
    field,
    raw_value,
    message
from file_issues
