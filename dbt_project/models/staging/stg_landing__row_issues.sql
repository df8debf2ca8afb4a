with row_issues as (
    select * from {{ source('landing', 'row_issues') }}
)

select
    file_sha256,
    row_number,
    rule,
    severity,
    field,
    raw_value,
    message
from row_issues
