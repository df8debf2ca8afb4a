-- Findings that only show once current values from all files are side by side:
-- numerator_exceeds_denominator (both counts rejected) and rate_mismatch (a warning).
with indicator_rates as (
    select
        components.*,
        rates.numerator_exceeds_denominator,
        rates.counts_rate_pct,
        rates.rate_mismatch
    from {{ ref('int_indicator_components') }} as components
    inner join {{ ref('int_indicator_rates') }} as rates
        using (indicator, region_code, period, sector)
),

{%- set key_label = "region_code || ' ' || period || ' (' || sector || ')'" %}

pair_description as (
    select
        *,
        numerator_metric || ' ' || numerator_value_raw || ' exceeds '
        || denominator_metric || ' ' || denominator_value_raw || ' for '
        || {{ key_label }} || ': both values are rejected; correct and resubmit them'
            as pair_message
    from indicator_rates
    where numerator_exceeds_denominator
),

findings as (
    select
        numerator_file_sha256 as file_sha256,
        numerator_row_number as row_number,
        'numerator_exceeds_denominator' as rule,
        'row_rejected' as severity,
        'value' as field,
        numerator_value_raw as raw_value,
        pair_message as message
    from pair_description

    union all

    select
        denominator_file_sha256,
        denominator_row_number,
        'numerator_exceeds_denominator',
        'row_rejected',
        'value',
        denominator_value_raw,
        pair_message
    from pair_description

    union all

    select
        reported_rate_file_sha256,
        reported_rate_row_number,
        'rate_mismatch',
        'warning',
        'value',
        reported_rate_value_raw,
        'reported ' || reported_rate_metric || ' ' || reported_rate_value_raw || ' differs from '
        || printf('%.2f', counts_rate_pct) || ' computed from ' || numerator_metric || ' / '
        || denominator_metric || ' for ' || {{ key_label }} || ' by more than 0.5 points'
    from indicator_rates
    where rate_mismatch
)

select * from findings
