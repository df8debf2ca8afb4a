with file_ledger as (
    select * from {{ source('landing', 'file_ledger') }}
),

renamed as (
    select
        file_sha256,
        file_path,
        upper(submitter) as submitter,
        format,
        encoding,
        size_bytes,
        file_seq,
        first_seen_at,
        submitted_at,
        ingest_status,
        duplicate_of,
        coalesce(rows_total, 0) as rows_total,
        coalesce(submitted_at, first_seen_at) as submission_order_at
    from file_ledger
)

select * from renamed
