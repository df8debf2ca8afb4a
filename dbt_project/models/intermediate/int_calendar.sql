-- Every period of every year the observations or a reporting schedule refer to, with the
-- next longer period that contains it: months make quarters, quarters make halves, halves
-- make years.
with observations as (
    select * from {{ ref('stg_landing__observations') }}
),

schedules as (
    select * from {{ ref('stg_reference__reporting_schedules') }}
),

referred_years as (
    select year(period_start) as first_year, year(period_end) as last_year from observations
    union all
    select cast(left(first_period, 4) as integer), cast(left(last_period, 4) as integer)
    from schedules
    where last_period is not null
),

observed_years as (
    select
        cast(min(first_year) as integer) as first_year,
        cast(max(last_year) as integer) as last_year
    from referred_years
),

years as (
    select cast(unnest(range(first_year, last_year + 1)) as integer) as year
    from observed_years
    where first_year is not null
),

numbered as (
    select years.year, parts.part
    from years
    cross join (select cast(unnest(range(1, 13)) as integer) as part) as parts
),

periods as (
    select
        cast(year as varchar) as period,
        'year' as period_type,
        make_date(year, 1, 1) as period_start,
        make_date(year, 12, 31) as period_end,
        cast(null as varchar) as parent_period,
        year
    from years

    union all

    select
        year || '-H' || part,
        'half',
        make_date(year, 6 * part - 5, 1),
        last_day(make_date(year, 6 * part, 1)),
        cast(year as varchar),
        year
    from numbered
    where part <= 2

    union all

    select
        year || '-Q' || part,
        'quarter',
        make_date(year, 3 * part - 2, 1),
        last_day(make_date(year, 3 * part, 1)),
        year || '-H' || ((part + 1) // 2),
        year
    from numbered
    where part <= 4

    union all

    select
        year || '-' || lpad(cast(part as varchar), 2, '0'),
        'month',
        make_date(year, part, 1),
        last_day(make_date(year, part, 1)),
        year || '-Q' || ((part + 2) // 3),
        year
    from numbered
)

select * from periods
