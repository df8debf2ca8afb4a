"""Pandera (polars) schemas of the parsed and the validated observations.

They state what the ingestion code promises about its own output; a failure means the
pipeline is wrong, not that a province sent bad data (bad data is a finding, not a failure).
"""

import pandera.polars as pa
import polars as pl

SHA256 = r"^[0-9a-f]{64}$"
PERIOD = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
PERIOD_TYPES = ["year", "half", "quarter", "month"]
SECTOR = r"^\S+$"


class ParsedObservations(pa.DataFrameModel):
    """raw.parsed_observations: every row read, each field read on its own."""

    file_sha256: pl.Utf8 = pa.Field(str_matches=SHA256)
    row_number: pl.Int32 = pa.Field(ge=1)
    period: pl.Utf8 = pa.Field(nullable=True, str_matches=PERIOD)
    period_type: pl.Utf8 = pa.Field(nullable=True, isin=PERIOD_TYPES)
    period_start: pl.Date = pa.Field(nullable=True)
    period_end: pl.Date = pa.Field(nullable=True)
    metric: pl.Utf8 = pa.Field(nullable=True)
    sector: pl.Utf8 = pa.Field(str_matches=SECTOR)
    value: pl.Float64 = pa.Field(nullable=True)
    value_error: pl.Utf8 = pa.Field(nullable=True, isin=["missing_value", "unparseable_value"])
    raw_record: pl.Utf8 = pa.Field()

    @pa.dataframe_check
    def value_or_error(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Exactly one of value and value_error is set."""
        return data.lazyframe.select(
            pl.col("value").is_null() == pl.col("value_error").is_not_null()
        )

    @pa.dataframe_check
    def period_fields_together(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A canonical period always comes with its type, start and end."""
        return data.lazyframe.select(
            pl.col("period").is_null()
            == (
                pl.col("period_type").is_null()
                & pl.col("period_start").is_null()
                & pl.col("period_end").is_null()
            )
        )

    class Config:
        unique = ["file_sha256", "row_number"]


class ValidatedObservations(pa.DataFrameModel):
    """raw.validated_observations: rows that passed every row rule."""

    file_sha256: pl.Utf8 = pa.Field(str_matches=SHA256)
    row_number: pl.Int32 = pa.Field(ge=1)
    submitter: pl.Utf8 = pa.Field()
    region_code: pl.Utf8 = pa.Field()
    period: pl.Utf8 = pa.Field(str_matches=PERIOD)
    period_type: pl.Utf8 = pa.Field(isin=PERIOD_TYPES)
    period_start: pl.Date = pa.Field()
    period_end: pl.Date = pa.Field()
    metric: pl.Utf8 = pa.Field()
    kind: pl.Utf8 = pa.Field(isin=["count", "rate"])
    sector: pl.Utf8 = pa.Field(str_matches=SECTOR)
    value: pl.Float64 = pa.Field(ge=0)

    @pa.dataframe_check
    def counts_are_whole(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("kind") != "count") | (pl.col("value") == pl.col("value").floor())
        )

    @pa.dataframe_check
    def rates_are_percentages(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("kind") != "rate") | (pl.col("value") <= 100))

    @pa.dataframe_check
    def period_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("period_start") <= pl.col("period_end"))

    class Config:
        unique = ["file_sha256", "row_number"]
