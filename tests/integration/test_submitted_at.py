"""`submitted_at` orders resubmissions (contract section 5), through real refreshes: one in
the future is flagged `future_submitted_at` and ordered as if the file stated none, so it
never wins over a later correction; one without a time zone is read in
DIGIMETRICS_TIMEZONE; none ever reaches the warehouse as a time Python cannot read."""

from datetime import UTC, datetime

from tests.conftest import environment, query, refresh, write_json

KEY = {"region": "VN-HN", "period": "2024-05", "sector": "submitted_at"}


def report(online: int, total: int, submitted_at: str | None) -> dict:
    document = {"submitter": "VN-HN", "observations": [
        {**KEY, "metric": "online_dossiers", "value": online},
        {**KEY, "metric": "total_dossiers", "value": total},
    ]}  # fmt: skip
    return document | ({"submitted_at": submitted_at} if submitted_at else {})


def test_a_future_submitted_at_never_wins_over_a_later_correction(landing) -> None:
    root, warehouse = landing
    write_json(root, "VN-HN/2099.json", report(10, 100, "2099-01-01T00:00:00+07:00"))
    write_json(root, "VN-HN/naive.json", report(1, 2, "2024-06-05T08:00:00"))
    write_json(root, "VN-HN/year_10000.json", report(1, 2, "9999-12-31T23:00:00-05:00"))
    with environment(DIGIMETRICS_TIMEZONE="Asia/Ho_Chi_Minh"):
        assert refresh().success
    rows = dict(query(warehouse, "select file_path, submitted_at from marts.submission_files"))
    assert rows == {  # every value reads back in Python: none lies beyond year 9999 in UTC
        "VN-HN/2099.json": None,
        "VN-HN/naive.json": datetime(2024, 6, 5, 1, 0, tzinfo=UTC),  # 08:00 in Ha Noi
        "VN-HN/year_10000.json": None,
    }
    flagged = query(
        warehouse,
        "select file_path, field, raw_value, message from marts.data_quality_issues "
        "where rule = 'future_submitted_at' order by file_path",
    )
    assert [(p, f, v) for p, f, v, _ in flagged] == [
        ("VN-HN/2099.json", "submitted_at", "2099-01-01T00:00:00+07:00"),
        ("VN-HN/year_10000.json", "submitted_at", "9999-12-31T23:00:00-05:00"),
    ]
    assert "later than when the file arrived" in flagged[0][3]
    assert {s for (s,) in query(warehouse, "select status from marts.submission_files")} == {
        "accepted"
    }

    # the province corrects the figures; the correction states no submitted_at
    write_json(root, "VN-HN/correction.json", report(60, 100, None))
    assert refresh().success
    published = query(
        warehouse,
        "select numerator, denominator from marts.fct_online_dossier_rate where sector = ?",
        [KEY["sector"]],
    )
    assert published == [(60, 100)]
