-- outlier_value (contract section 9, a warning): an accepted count whose modified z-score,
-- 0.6745 x (value - median) / MAD, exceeds the threshold (DIGIMETRICS_OUTLIER_THRESHOLD,
-- 3.5) in absolute value within its series: the same unit, metric, sector and period type,
-- over the current values of all its periods. A series is judged only with at least
-- DIGIMETRICS_OUTLIER_MIN_VALUES values (6) and a MAD above 0. Rebuilt by series
-- (int_pending_series_keys). The statistics are window functions over one narrow read of
-- the values: sorting by series spills to disk where grouped medians held every series
-- in memory at once.
with series_values as (
    select region_code, period, metric_code, sector, period_type, value, value_raw,
        file_sha256, row_number
    from {{ ref('int_observations_accepted') }}
    where is_current and metric_kind = 'count' and {{ is_pending_figure_key(keys='series') }}
),

model_settings as (
    select * from {{ ref('stg_reference__model_settings') }}
),

centred as (
    select
        *,
        median(value) over series as series_median,
        count(*) over series as series_length
    from series_values
    window series as (partition by region_code, metric_code, sector, period_type)
),

judged_series as (
    select centred.*
    from centred
    cross join model_settings
    where centred.series_length >= model_settings.outlier_min_values
),

spread as (
    select *, median(abs(value - series_median)) over series as series_mad
    from judged_series
    window series as (partition by region_code, metric_code, sector, period_type)
),

scored as (
    select *, 0.6745 * (value - series_median) / series_mad as modified_z
    from spread
    where series_mad > 0
)

select
    scored.region_code,
    scored.period,
    scored.metric_code,
    scored.sector,
    scored.file_sha256,
    scored.row_number,
    'outlier_value' as rule,
    'warning' as severity,
    'value' as field,
    scored.value_raw as raw_value,
    {{ observation_label('scored') }}
    || ' = ' || cast(scored.value as bigint) || '; its series median is '
    || {{ short_number('scored.series_median') }} || ', modified z-score '
    || {{ short_number('scored.modified_z') }} as message
from scored
cross join model_settings
where abs(scored.modified_z) > model_settings.outlier_threshold
