"""The outlier rule's settings (contract section 9): the contract's defaults unless the
environment says otherwise, and a value that is no number of the right kind is refused with
the variable named, never read as the default."""

import pytest

from orchestration.lib.settings import Settings


def _settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Settings:
    for name in ("DIGIMETRICS_OUTLIER_THRESHOLD", "DIGIMETRICS_OUTLIER_MIN_VALUES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return Settings.from_env()


def test_the_outlier_rule_defaults_to_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch)
    assert (settings.outlier_threshold, settings.outlier_min_values) == (3.5, 6)
    assert settings.model_settings() == {
        "timezone": settings.timezone,
        "outlier_threshold": 3.5,
        "outlier_min_values": 6,
    }


def test_the_outlier_rule_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch, DIGIMETRICS_OUTLIER_THRESHOLD="5", DIGIMETRICS_OUTLIER_MIN_VALUES="12"
    )
    assert (settings.outlier_threshold, settings.outlier_min_values) == (5.0, 12)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DIGIMETRICS_OUTLIER_THRESHOLD", "three"),
        ("DIGIMETRICS_OUTLIER_THRESHOLD", "-1"),
        ("DIGIMETRICS_OUTLIER_THRESHOLD", "nan"),
        ("DIGIMETRICS_OUTLIER_MIN_VALUES", "5.5"),
        ("DIGIMETRICS_OUTLIER_MIN_VALUES", "1"),
    ],
)
def test_a_setting_that_is_no_such_number_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    with pytest.raises(ValueError, match=f"{variable}='{value}'"):
        _settings(monkeypatch, **{variable: value})
