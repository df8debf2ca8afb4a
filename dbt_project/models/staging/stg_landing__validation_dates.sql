with validation_date as (
    select * from {{ source('landing', 'validation_date') }}
)

select today from validation_date
