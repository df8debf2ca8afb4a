-- One row per finding, file-level and row-level, from every stage of validation.
-- A file-level finding belongs to one path; a row-level one to the path whose bytes were
-- parsed (copies of the same bytes elsewhere are duplicates or rejected on their own).
with file_findings as (
    select * from {{ ref('stg_landing__file_issues') }}
),

row_findings as (
    select * from {{ ref('stg_landing__row_issues') }}
    union all
    select * from {{ ref('int_cross_row_findings') }}
    union all
    select file_sha256, row_number, rule, severity, field, raw_value, message
    from {{ ref('int_total_mismatches') }}
    union all
    select file_sha256, row_number, rule, severity, field, raw_value, message
    from {{ ref('int_outlier_values') }}
),

parsed_files as (
    select file_sha256, file_path, submitter
    from {{ ref('stg_landing__submission_files') }}
    where ingest_status = 'parsed'
),

raw_rows as (
    select * from {{ ref('stg_landing__raw_rows') }}
),

findings as (
    select
        file_sha256, file_path, submitter, row_number, rule, severity, field, raw_value,
        message
    from file_findings

    union all

    select
        row_findings.file_sha256,
        parsed_files.file_path,
        parsed_files.submitter,
        row_findings.row_number,
        row_findings.rule,
        row_findings.severity,
        row_findings.field,
        row_findings.raw_value,
        row_findings.message
    from row_findings
    inner join parsed_files using (file_sha256)
)

select
    findings.*,
    raw_rows.raw_record
from findings
left join raw_rows
    on raw_rows.file_sha256 = findings.file_sha256
    and raw_rows.row_number = findings.row_number
order by findings.file_path, findings.row_number nulls first, findings.rule
