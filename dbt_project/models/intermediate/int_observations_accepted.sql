{{ config(materialized='view') }}
-- Every accepted observation: the resolved observations less those a cross-row rule
-- rejected (a numerator above its denominator rejects both). A view: the figure models
-- and the history read it once each.
with resolved as (
    select * from {{ ref('int_observations_resolved') }}
),

rejected as (
    select distinct file_sha256, row_number
    from {{ ref('int_cross_row_findings') }}
    where severity = 'row_rejected'
)

select resolved.*
from resolved
anti join rejected using (file_sha256, row_number)
