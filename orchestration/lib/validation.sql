-- Row rules of contract section 5 that need the registry, the catalog, the calendar or
-- other rows of the same file, applied in bulk to the files in temp table `to_validate`
-- (validation.py chooses them: every parsed file when the registry, the catalog, today's
-- date or these rules changed, so such a change reaches every submission ever received;
-- else only the files parsed since). A file's rows never depend on another file's here,
-- so validation.py runs this once per chunk of files, each small enough to validate in
-- memory. Parameters: $today (date in DIGIMETRICS_TIMEZONE).

create or replace temp table obs as
select p.* exclude (raw_record, sector_raw),
    l.submitter, m.kind, m.metric_code is not null as metric_known
from raw.parsed_observations p
join raw.file_ledger l on l.file_sha256 = p.file_sha256 and l.ingest_status = 'parsed'
left join raw.metrics m on m.metric_code = p.metric
where p.file_sha256 in (select file_sha256 from to_validate);

-- each distinct (name, period) is resolved once
create or replace temp table region_resolution as
with keys as (
    select distinct region_key, loose_region_key, period_start, period_end from obs
    where region_key is not null
),
exact as (
    select k.*, n.region_code from keys k join raw.region_names n on n.name_key = k.region_key
),
loose as (
    select k.*, n.region_code from keys k join raw.region_names n on n.loose_key = k.loose_region_key
    where not exists (select 1 from exact e where e.region_key = k.region_key)
),
candidates as (
    select distinct c.region_key, c.period_start, c.period_end, r.region_code, r.name,
        r.valid_from, r.valid_to, r.successor_code,
        c.period_start is null
            or ((r.valid_from is null or r.valid_from <= c.period_end)
                and (r.valid_to is null or r.valid_to >= c.period_start)) as valid_in_period
    from (select * from exact union all select * from loose) c
    join raw.regions r using (region_code)
)
select region_key, period_start, period_end,
    count(*) as n_candidates,
    count(*) filter (where valid_in_period) as n_valid,
    min(region_code) filter (where valid_in_period) as region_code,
    string_agg(
        region_code || ' (' || coalesce('from ' || valid_from::varchar || ' ', '')
        || coalesce('until ' || valid_to::varchar, 'onwards') || ')', ', ' order by region_code
    ) as candidate_list,
    string_agg(
        name || ' (' || region_code || ') existed '
        || coalesce('from ' || valid_from::varchar || ' ', '')
        || coalesce('until ' || valid_to::varchar, 'onwards')
        || coalesce('; it became ' || successor_code || ' on ' || (valid_to + 1)::varchar, ''),
        ', ' order by region_code
    ) filter (where not valid_in_period) as validity_note
from candidates group by all;

-- the closest known name for each unknown one, for "did you mean …?"
create or replace temp table name_suggestions as
with unknown as (
    select distinct o.region_key from obs o
    left join region_resolution r using (region_key)
    where o.region_key is not null and r.region_key is null
),
scored as (
    select u.region_key, n.name, n.region_code,
        jaro_winkler_similarity(u.region_key, n.name_key) as score
    from unknown u cross join raw.region_names n
)
select region_key, arg_max(name || ' (' || region_code || ')', score) as suggestion,
    max(score) as score
from scored group by region_key;

create or replace temp table checked as
select o.*,
    rr.n_candidates, rr.n_valid, rr.candidate_list, rr.validity_note,
    case when rr.n_valid = 1 then rr.region_code end as region_code,
    ns.suggestion, ns.score as suggestion_score,
    case when o.kind = 'rate' and o.unit = 'ratio' then o.value * 100 else o.value end as value_std
from obs o
left join region_resolution rr
    on rr.region_key = o.region_key
    and rr.period_start is not distinct from o.period_start
    and rr.period_end is not distinct from o.period_end
left join name_suggestions ns on ns.region_key = o.region_key;

create or replace temp table single_row_findings as
with findings as (
    -- a row whose cells do not line up with the header: nothing else can be trusted
    select file_sha256, row_number, 'unparseable_value' as rule, 'value' as field,
        value_raw as raw_value, row_problem as message
    from checked where row_problem is not null
    union all
    select file_sha256, row_number, 'unknown_region', 'region', region_raw,
        case
            when region_key is null then 'region is empty: give a region code such as '
                || coalesce(submitter, 'VN-36') || ' or its name'
            when n_candidates is null then 'unknown region ''' || raw.shown(region_raw) || ''''
                || case when suggestion_score >= 0.8
                        then ' (did you mean ' || suggestion || '?)' else '' end
            else 'region ''' || raw.shown(region_raw) || ''' is ambiguous'
                || coalesce(' in ' || period, '') || ': it names ' || candidate_list
                || '; use the region code'
        end
    from checked
    where row_problem is null
        and (region_key is null or n_candidates is null or n_valid > 1)
    union all
    select file_sha256, row_number, 'region_not_valid_in_period', 'region', region_raw,
        'region ''' || raw.shown(region_raw) || ''' did not exist in ' || period || ': ' || validity_note
    from checked where row_problem is null and n_candidates > 0 and n_valid = 0
    union all
    select c.file_sha256, c.row_number, 'region_not_owned', 'region', c.region_raw,
        'submitter ' || coalesce(raw.shown(c.submitter), '?') || ' may report only for itself and the '
        || 'regions below it, not for ' || c.region_code
    from checked c
    where c.row_problem is null and c.region_code is not null
        and not exists (
            select 1 from raw.region_ancestors a
            where a.region_code = c.region_code and a.ancestor_code = upper(c.submitter)
        )
    union all
    select file_sha256, row_number, 'bad_period', 'period', period_raw,
        case when period_raw is null or trim(period_raw) = '' then 'period is empty'
            else 'period ''' || raw.shown(period_raw) || ''' is not a valid period' end
        || ': expected YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM (e.g. 2024-Q2, 2024-03)'
    from checked where row_problem is null and period is null
    union all
    select file_sha256, row_number, 'future_period', 'period', period_raw,
        'period ' || period || ' starts on ' || period_start::varchar
        || ', after today (' || $today::varchar || ')'
    from checked where row_problem is null and period_start > $today
    union all
    select c.file_sha256, c.row_number, 'unknown_metric', 'metric', c.metric_raw,
        case when c.metric is null then 'metric is empty'
            else 'unknown metric ''' || raw.shown(c.metric_raw) || '''' end
        || ': expected one of '
        || (select string_agg(metric_code, ', ' order by metric_code) from raw.metrics)
    from checked c where c.row_problem is null and not c.metric_known
    union all
    select file_sha256, row_number, value_error, 'value', value_raw,
        value_detail || case when value_error = 'unparseable_value'
            then ': expected ' || coalesce(kind, 'a number')
                || case kind when 'count' then ' (a whole number, e.g. 2439 or 2,439)'
                             when 'rate' then ' (a percentage, e.g. 81.17)' else '' end
            else ': send the value of ' || coalesce(raw.shown(metric_raw), 'the metric')
                || ', or leave the row out' end
    from checked where row_problem is null and value_error is not null
    union all
    select file_sha256, row_number, 'negative_count', 'value', value_raw,
        metric || ' is a count and cannot be negative (' || raw.shown(value_raw) || ')'
    from checked where row_problem is null and kind = 'count' and value < 0
    union all
    select file_sha256, row_number, 'not_an_integer', 'value', value_raw,
        metric || ' is a count and must be a whole number, not ' || raw.shown(value_raw)
    from checked where row_problem is null and kind = 'count' and value >= 0
        and value <> floor(value)
    union all
    select file_sha256, row_number, 'percent_out_of_range', 'value', value_raw,
        metric || ' must lie between 0 and 100 percent'
        || case when unit = 'ratio' then ' (0 to 1 as a ratio)' else '' end
        || ', not ' || raw.shown(value_raw)
    from checked where row_problem is null and kind = 'rate'
        and (value_std < 0 or value_std > 100)
    union all
    select file_sha256, row_number, 'unit_mismatch', 'unit', coalesce(unit_raw, value_raw),
        case
            when kind = 'count' and percent_sign
                then metric || ' is a count; a value with % is a rate'
            when kind = 'count' then metric || ' is a count: its unit must be ''count'', not '''
                || raw.shown(unit_raw) || ''''
            when percent_sign and unit = 'ratio'
                then 'the value has a % sign but the unit says ratio'
            else metric || ' is a rate: its unit must be ''percent'' or ''ratio'', not '''
                || raw.shown(unit_raw) || ''''
        end
    from checked
    where row_problem is null and (
        (kind = 'count' and (percent_sign or (unit is not null and unit <> 'count')))
        or (kind = 'rate' and ((unit is not null and unit not in ('percent', 'ratio'))
                               or (percent_sign and unit = 'ratio')))
    )
)
select * from findings;

-- rows that pass every single-row rule (the columns the rest needs), then the rules
-- across rows of one file
create or replace temp table passing as
select c.file_sha256, c.row_number, c.submitter, c.region_code, c.period, c.period_type,
    c.period_start, c.period_end, c.metric, c.kind, c.sector, c.value_std, c.value_raw,
    c.unit, c.note
from checked c
where not exists (
    select 1 from single_row_findings f
    where f.file_sha256 = c.file_sha256 and f.row_number = c.row_number
);

-- keys a file sends more than once, with their rows (found by a plain count first: the
-- ordered and distinct aggregates are slow, and only repeated keys need them). A message
-- names at most five of the copies' rows, so that findings grow with the copies, not with
-- their square.
create or replace temp table repeated_keys as
with repeated as (
    select file_sha256, region_code, period, metric, sector
    from passing
    group by all
    having count(*) > 1
)
select p.file_sha256, p.region_code, p.period, p.metric, p.sector,
    count(distinct p.value_std) as distinct_values,
    min(p.row_number) as first_row,
    array_to_string(list(p.row_number order by p.row_number)[1:5], ', ')
        || case when count(*) > 5 then ' and ' || format('{:,}', count(*) - 5) || ' more'
                else '' end as copy_rows
from passing p
join repeated r
    on r.file_sha256 = p.file_sha256
    and r.region_code is not distinct from p.region_code
    and r.period is not distinct from p.period
    and r.metric is not distinct from p.metric
    and r.sector is not distinct from p.sector
group by all;

create or replace temp table duplicate_groups as
select p.*,
    -- a key sent once: what count(distinct value_std) gives over its one row
    coalesce(r.distinct_values, (p.value_std is not null)::integer) as distinct_values,
    r.first_row is null or p.row_number = r.first_row as is_first_copy,
    r.copy_rows
from passing p
left join repeated_keys r
    on r.file_sha256 = p.file_sha256
    and r.region_code is not distinct from p.region_code
    and r.period is not distinct from p.period
    and r.metric is not distinct from p.metric
    and r.sector is not distinct from p.sector;

delete from raw.row_issues where file_sha256 in (select file_sha256 from to_validate);

insert into raw.row_issues
select f.file_sha256, f.row_number, f.rule,
    case when f.rule = 'duplicate_identical' then 'warning' else 'row_rejected' end as severity,
    f.field, f.raw_value,
    -- a finding is never lost for want of a message
    coalesce(f.message, f.rule || ' (' || coalesce(f.field, 'row') || ')') as message
from (
    select * from single_row_findings
    union all
    select file_sha256, row_number, 'duplicate_conflict', 'value', value_raw,
        region_code || ' ' || period || ' ' || metric || ' (' || sector || ') appears in rows '
        || copy_rows || ' with different values; send one value'
    from duplicate_groups where distinct_values > 1
    union all
    select file_sha256, row_number, 'duplicate_identical', 'value', value_raw,
        region_code || ' ' || period || ' ' || metric || ' (' || sector || ') repeats rows '
        || copy_rows || ' with the same value; counted once'
    from duplicate_groups where distinct_values = 1 and not is_first_copy
) f;

-- the keys a file's earlier validation accepted rows for are rebuilt too
insert into raw.pending_model_keys
select distinct region_code, period from raw.validated_observations
where file_sha256 in (select file_sha256 from to_validate);

delete from raw.validated_observations
where file_sha256 in (select file_sha256 from to_validate);

-- a file's rows stored together, so that checks read the table in row-id slices (slices.py)
insert into raw.validated_observations
select file_sha256, row_number, upper(submitter) as submitter, region_code, period,
    period_type, period_start, period_end, metric, kind, sector,
    value_std as value, value_raw, unit, note
from duplicate_groups
where distinct_values = 1 and is_first_copy
order by file_sha256;

-- the keys whose facts must be rebuilt: those of the observations accepted just now
insert into raw.pending_model_keys
select distinct region_code, period from duplicate_groups
where distinct_values = 1 and is_first_copy;

insert into raw.validated_files
select file_sha256 from to_validate
where file_sha256 not in (select file_sha256 from raw.validated_files);

insert into raw.validation_batch select file_sha256 from to_validate;
