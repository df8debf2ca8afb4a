-- What each unit reported itself, as the figures of contract section 8 are built from:
-- every count metric's current value (measure_type 'metric', side b unused), and every
-- indicator's pair of counts where both sides were reported (measure_type 'indicator'):
-- a pair lacking one side is no figure, so that a rate never divides counts of different
-- coverage. over_time says how a figure adds up over periods (sum or last).
with accepted as (
    select * from {{ ref('int_observations_accepted') }}
    where is_current and metric_kind = 'count' and {{ is_pending_figure_key() }}
),

metrics as (
    select * from {{ ref('stg_reference__metrics') }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

metric_figures as (
    select
        'metric' as measure_type,
        accepted.metric_code as measure,
        metrics.over_time,
        accepted.region_code,
        accepted.period,
        accepted.sector,
        cast(accepted.value as bigint) as a,
        cast(0 as bigint) as b
    from accepted
    inner join metrics using (metric_code)
),

pair_figures as (
    select
        'indicator' as measure_type,
        indicators.indicator as measure,
        metrics.over_time,
        numerators.region_code,
        numerators.period,
        numerators.sector,
        cast(numerators.value as bigint) as a,
        cast(denominators.value as bigint) as b
    from indicators
    inner join metrics on metrics.metric_code = indicators.numerator_metric
    inner join accepted as numerators on numerators.metric_code = indicators.numerator_metric
    inner join accepted as denominators
        on denominators.metric_code = indicators.denominator_metric
        and denominators.region_code = numerators.region_code
        and denominators.period = numerators.period
        and denominators.sector = numerators.sector
)

select * from metric_figures
union all
select * from pair_figures
