-- Every accepted observation, ranked within its key (region, period, metric, sector) by
-- submission: the latest file's value is current, earlier ones stay as history.
-- "Latest" is submitted_at when the file states it, else when the file was first seen;
-- the order in which files were first seen breaks ties.
with observations as (
    select * from {{ ref('stg_landing__observations') }}
    where {{ is_pending_key() }}
),

submitted_files as (
    select file_sha256, file_path, file_seq, submission_order_at
    from {{ ref('stg_landing__submission_files') }}
    where ingest_status = 'parsed'
),

ranked as (
    select
        observations.*,
        submitted_files.file_path,
        submitted_files.file_seq,
        submitted_files.submission_order_at,
        row_number() over (
            partition by
                observations.region_code,
                observations.period,
                observations.metric_code,
                observations.sector
            order by
                submitted_files.submission_order_at desc,
                submitted_files.file_seq desc,
                observations.row_number desc
        ) as recency_rank
    from observations
    inner join submitted_files using (file_sha256)
)

select
    *,
    recency_rank = 1 as is_current
from ranked
