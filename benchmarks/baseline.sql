-- The benchmark's "physical floor": the three indicator facts of contract section 6 from the
-- same landing zone with plain DuckDB and no validation at all. Every byte of every file is
-- read; codes are mapped directly, names through a lower-cased join on the registry, number
-- forms turned into doubles with string functions; the latest file wins per key, flows are
-- summed and stocks taken within that file. No findings, no history, no checks.
--
-- benchmarks/baseline.py runs the sections below in order ("-- section: <name>"), binding
-- the named parameters ($name); it never pastes a path into this text. `load_csv` runs once
-- per group of CSV files that share an encoding and a delimiter (one read_csv call cannot
-- switch either), `load_json` once for all JSON files. Windows-1251 files are read as
-- latin-1, which DuckDB reads natively: their ASCII fields (codes, periods, metrics,
-- numbers) come through, Cyrillic names do not map to a region and those rows drop out.

-- section: setup
create or replace temp table registry as
select * from read_csv($region_files, header = true, all_varchar = true, union_by_name = true);

create or replace temp table metric_catalog as
select * from read_csv($metrics_file, header = true, all_varchar = true);

-- each indicator's metrics with the role each plays
create or replace temp table indicator_metrics as
unpivot (select * from read_csv($indicators_file, header = true, all_varchar = true))
on numerator, denominator, reported_rate
into name role value metric_code;

-- every spelling the floor understands: the code, and the local and English names as
-- written, lower-cased, and without diacritics
create or replace temp table region_lookup as
with spellings as (
    select lower(region_code) as spelling, region_code, valid_from, valid_to from registry
    union all
    select lower(nfc_normalize(name_local)), region_code, valid_from, valid_to from registry
    union all
    select lower(name_en), region_code, valid_from, valid_to from registry
    union all
    select strip_accents(replace(lower(nfc_normalize(name_local)), 'đ', 'd')), region_code,
        valid_from, valid_to
    from registry
)
select spelling, try_cast(valid_from as date) as valid_from, try_cast(valid_to as date) as valid_to,
    min(region_code) as region_code
from spellings
where spelling is not null
group by all;

create or replace table raw_rows (
    file_path varchar, region varchar, period varchar, metric varchar, sector varchar,
    value varchar, decimal_comma boolean
);

-- section: load_csv
insert into raw_rows
select filename, region, period, metric, sector, value, $decimal_comma
from read_csv(
    $files, delim = $delimiter, encoding = $encoding, header = true, all_varchar = true,
    union_by_name = true, filename = true, quote = '"', escape = '"',
    comment = ''  -- else the sniffer may take '#' for a comment and drop '#REF!' rows
);

-- section: load_json
insert into raw_rows
select filename, o ->> 'region', coalesce(o ->> 'period', period), o ->> 'metric',
    o ->> 'sector', o ->> 'value', false
from (
    select filename, period, unnest(observations) as o
    from read_json(
        $files, format = 'auto', filename = true,
        columns = {submitter: 'VARCHAR', period: 'VARCHAR', submitted_at: 'VARCHAR',
                   observations: 'JSON[]'}
    )
);

-- section: facts
-- files in path order: a correction is named after the month it corrects, so it sorts later
create or replace temp table files as
select file_path, row_number() over (order by file_path) as file_no
from (select distinct file_path from raw_rows);

-- a month (YYYY-MM) or a quarter (YYYY-Qn) once the month forms are normalized: its first day
create or replace temp macro period_first_day(period) as case
    when regexp_full_match(period, '[0-9]{4}-[0-9]{2}') then try_cast(period || '-01' as date)
    when regexp_full_match(period, '[0-9]{4}-Q[1-4]') then make_date(
        cast(substr(period, 1, 4) as integer), 3 * cast(substr(period, 7, 1) as integer) - 2, 1
    )
end;

create or replace temp macro period_last_day(period) as case
    when regexp_full_match(period, '[0-9]{4}-Q[1-4]')
        then last_day(period_first_day(period) + interval 2 month)
    else last_day(period_first_day(period))
end;

create or replace temp table observations as
with cleaned as (
    select
        file_path,
        lower(nfc_normalize(trim(region))) as spelling,
        case
            when period like '__/____' then substr(period, 4, 4) || '-' || substr(period, 1, 2)
            when period like '____/__' then replace(period, '/', '-')
            else trim(period)
        end as period,
        lower(trim(metric)) as metric,
        coalesce(nullif(lower(trim(sector)), ''), 'all') as sector,
        replace(replace(rtrim(trim(value), '%'), ' ', ''), chr(160), '') as number,
        decimal_comma
    from raw_rows
),
bounded as (
    select *, period_first_day(period) as first_day, period_last_day(period) as last_day
    from cleaned
)
select
    f.file_no, l.region_code, c.period, c.metric, c.sector,
    try_cast(
        case when c.decimal_comma then replace(replace(c.number, '.', ''), ',', '.')
             else replace(c.number, ',', '') end
        as double
    ) as value
from bounded as c
join files as f using (file_path)
left join region_lookup as l
    on l.spelling = c.spelling
    and (l.valid_from is null or l.valid_from <= c.last_day)
    and (l.valid_to is null or l.valid_to >= c.first_day);

-- per file: flows summed, stocks and rates taken; then the latest file wins
create or replace temp table current_values as
with per_file as (
    select o.region_code, o.period, o.metric, o.sector, o.file_no,
        case when m.over_time = 'sum' then sum(o.value) else max(o.value) end as value
    from observations as o
    join metric_catalog as m on m.metric_code = o.metric
    where o.region_code is not null and isfinite(o.value)
    group by o.region_code, o.period, o.metric, o.sector, o.file_no, m.over_time
)
select region_code, period, metric, sector, arg_max(value, file_no) as value
from per_file
group by region_code, period, metric, sector;

create or replace temp table indicator_rates as
with components as (
    select m.indicator, c.region_code, c.period, c.sector,
        max(c.value) filter (where m.role = 'numerator') as numerator,
        max(c.value) filter (where m.role = 'denominator') as denominator,
        max(c.value) filter (where m.role = 'reported_rate') as reported_rate_pct
    from current_values as c
    join indicator_metrics as m on m.metric_code = c.metric
    group by m.indicator, c.region_code, c.period, c.sector
),
rated as (
    select *,
        case when denominator > 0 and numerator between 0 and denominator
            then 100.0 * numerator / denominator end as counts_rate_pct,
        period_first_day(period) as period_start,
        period_last_day(period) as period_end
    from components
)
select
    indicator, region_code, period,
    case
        when period like '____-Q_' then 'quarter'
        when period like '____-H_' then 'half'
        when length(period) = 4 then 'year'
        when period_start is not null then 'month'
    end as period_type,
    period_start,
    period_end,
    sector,
    case when counts_rate_pct is not null then numerator::bigint end as numerator,
    case when counts_rate_pct is not null then denominator::bigint end as denominator,
    coalesce(counts_rate_pct, reported_rate_pct) as rate_pct,
    reported_rate_pct,
    case when counts_rate_pct is not null then 'counts' else 'reported' end as rate_source
from rated
where coalesce(counts_rate_pct, reported_rate_pct) is not null;

create schema if not exists marts;

create or replace table marts.fct_online_dossier_rate as
select * exclude (indicator) from indicator_rates where indicator = 'online_dossier_rate';

create or replace table marts.fct_cashless_payment_share as
select * exclude (indicator) from indicator_rates where indicator = 'cashless_payment_share';

create or replace table marts.fct_ehealth_record_coverage as
select * exclude (indicator) from indicator_rates where indicator = 'ehealth_record_coverage';
