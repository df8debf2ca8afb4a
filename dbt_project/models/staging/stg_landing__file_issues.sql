with file_issues as (
    select * from {{ source('landing', 'file_issues') }}
),

file_ledger as (
    select * from {{ source('landing', 'file_ledger') }}
)

select
    file_issues.file_seq,
    file_ledger.file_sha256,
    file_ledger.file_path,
    upper(file_ledger.submitter) as submitter,
    cast(null as integer) as row_number,
    file_issues.rule,
    file_issues.severity,
    file_issues.field,
    file_issues.raw_value,
    file_issues.message
from file_issues
inner join file_ledger using (file_seq)
