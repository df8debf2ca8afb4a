-- Every accepted observation ever received (contract section 10), with the file that
-- replaced it: the next later observation of the same key, in section 5's meaning of
-- later. What the warehouse said on a day D is, per key, the latest observation whose
-- file was first seen by D.
with accepted as (
    select * from {{ ref('int_observations_accepted') }}
    where {{ is_pending_key() }}
),

submitted_files as (
    select file_sha256, submitted_at, first_seen_at
    from {{ ref('stg_landing__submission_files') }}
    where ingest_status = 'parsed'  -- the path the rows were read from, not a copy's
)

select
    accepted.region_code,
    accepted.period,
    accepted.metric_code,
    accepted.sector,
    accepted.value,
    accepted.file_sha256,
    accepted.file_path,
    accepted.row_number,
    submitted_files.submitted_at,
    submitted_files.first_seen_at,
    accepted.is_current,
    lag(accepted.file_sha256) over (
        partition by accepted.region_code, accepted.period, accepted.metric_code, accepted.sector
        order by accepted.recency_rank
    ) as superseded_by
from accepted
inner join submitted_files using (file_sha256)
order by accepted.region_code, accepted.period, accepted.metric_code, accepted.sector,
    accepted.recency_rank desc
