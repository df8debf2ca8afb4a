with parsed_observations as (
    select * from {{ source('landing', 'parsed_observations') }}
)

select
    file_sha256,
    row_number,
    raw_record
from parsed_observations
