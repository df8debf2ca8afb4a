-- One row per finding, file-level and row-level, from every stage of validation.
with file_findings as (
    select * from {{ ref('stg_landing__file_issues') }}
),

row_findings as (
    select * from {{ ref('stg_landing__row_issues') }}
),

cross_row_findings as (
    select * from {{ ref('int_cross_row_findings') }}
),

findings as (
    select * from file_findings
    union all
    select * from row_findings
    union all
    select * from cross_row_findings
),

ingested_files as (
    select file_sha256, file_path, submitter
    from {{ ref('stg_landing__submission_files') }}
    where ingest_status <> 'duplicate'
),

raw_rows as (
    select * from {{ ref('stg_landing__raw_rows') }}
)

select
    findings.file_sha256,
    ingested_files.file_path,
    ingested_files.submitter,
    findings.row_number,
    findings.rule,
    findings.severity,
    findings.field,
    findings.raw_value,
    findings.message,
    raw_rows.raw_record
from findings
inner join ingested_files using (file_sha256)
left join raw_rows
    on raw_rows.file_sha256 = findings.file_sha256
    and raw_rows.row_number = findings.row_number
order by ingested_files.file_path, findings.row_number nulls first, findings.rule
