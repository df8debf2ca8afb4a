-- One row per file seen (path and bytes), with what became of it.
with submitted_files as (
    select * from {{ ref('stg_landing__submission_files') }}
),

row_rejections as (
    select file_sha256, row_number from {{ ref('stg_landing__row_issues') }}
    where severity = 'row_rejected'
    union
    select file_sha256, row_number from {{ ref('int_cross_row_findings') }}
    where severity = 'row_rejected'
),

rejected_row_counts as (
    select file_sha256, count(*) as rows_rejected
    from row_rejections
    group by file_sha256
),

outcomes as (
    select
        submitted_files.*,
        submitted_files.ingest_status = 'duplicate' as is_duplicate,
        submitted_files.ingest_status = 'rejected' as is_file_rejected,
        -- row findings belong to the one path whose bytes were parsed
        case when submitted_files.ingest_status = 'parsed'
            then coalesce(rejected_row_counts.rows_rejected, 0) else 0 end as rejected_rows
    from submitted_files
    left join rejected_row_counts using (file_sha256)
)

select
    file_sha256,
    file_path,
    submitter,
    format,
    encoding,
    case
        when is_duplicate then 'duplicate'
        when ingest_status = 'pending' then 'pending'
        when is_file_rejected or rejected_rows >= rows_total then 'rejected'
        when rejected_rows > 0 then 'partially_accepted'
        else 'accepted'
    end as status,
    case when is_duplicate then 0 else rows_total end as rows_total,
    case when is_duplicate then 0 else rows_total - rejected_rows end as rows_accepted,
    case when is_duplicate then 0 else rejected_rows end as rows_rejected,
    first_seen_at,
    submitted_at,
    size_bytes,
    duplicate_of
from outcomes
order by file_seq
