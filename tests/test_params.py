"""Period parameters: labels, windows, layering and clear errors."""

import json
from datetime import date

import pytest

from crmreport.core.errors import ParamsError
from crmreport.ingest.sources import embedded_demo_path
from crmreport.settings import load_params, period_window
from crmreport.settings.params import DEMO_DATA_END


@pytest.mark.parametrize(("label", "start", "end"), [
    ("2025Q3", date(2025, 7, 1), date(2025, 9, 30)),
    ("2025Q1", date(2025, 1, 1), date(2025, 3, 31)),
    ("2024H2", date(2024, 7, 1), date(2024, 12, 31)),
    ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
    ("2024", date(2024, 1, 1), date(2024, 12, 31)),
])
def test_period_labels(label, start, end):
    window = period_window(label)
    assert (window.start, window.end) == (start, end)


def test_quarter_label_alone_gives_window_and_previous_quarter_baseline(tmp_path):
    params = load_params("2025Q1", root=tmp_path)
    assert (params.start, params.end) == (date(2025, 1, 1), date(2025, 3, 31))
    assert (params.baseline_window.start, params.baseline_window.end) == (date(2024, 10, 1), date(2024, 12, 31))
    assert params.language == "en" and params.masking is True


def test_layers_defaults_then_period_file_then_overrides(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "defaults.yaml").write_text("company: ACME\nlanguage: zh\ncolumns: {customers: {a: name}}\n")
    (tmp_path / "params" / "2025Q3.yaml").write_text("period: 2025Q3\nbaseline: 2024Q3\n"
                                                    "columns: {customers: {b: email}}\n")
    params = load_params("2025Q3", root=tmp_path, overrides={"language": "en"})
    assert params.company == "ACME" and params.language == "en"
    assert params.columns == {"customers": {"a": "name", "b": "email"}}
    assert params.baseline_window.start == date(2024, 7, 1)


def test_relative_data_path_resolves_against_project_root(tmp_path):
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "defaults.yaml").write_text("data: exports/q3\n")
    assert load_params("2025Q3", root=tmp_path).data == str(tmp_path / "exports" / "q3")
    url = "postgresql+psycopg://u@localhost/crm"
    assert load_params("2025Q3", root=tmp_path, overrides={"data": url}).data == url


def test_unknown_key_is_a_clear_error_with_suggestion(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("period: 2025Q3\nlangauge: zh\n")
    with pytest.raises(ParamsError, match=r"`langauge` is not a parameter \(did you mean `language`\?\)"):
        load_params(params_file=path, root=tmp_path)


def test_a_renamed_key_names_its_new_name(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("period: 2025Q3\nkpis: {sla_hours: {urgent: 1}}\nexecution: {sla_hours: {urgent: 1}}\n")
    with pytest.raises(ParamsError) as raised:
        load_params(params_file=path, root=tmp_path)
    message = str(raised.value)
    assert "`kpis.sla_hours` is now `kpis.resolution_sla_hours` (hours from opening to resolution" in message
    assert "`execution.sla_hours` is now `execution.first_response_limit_hours` (hours from opening to" in message


def test_bad_value_names_key_and_value(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("period: 2025Q3\nlanguage: fr\n")
    with pytest.raises(ParamsError, match=r"`language`.*'en' or 'zh'.*'fr'"):
        load_params(params_file=path, root=tmp_path)


def test_unknown_label_without_dates_is_explained(tmp_path):
    with pytest.raises(ParamsError, match="give `start` and `end`"):
        load_params("spring-campaign", root=tmp_path)
    params = load_params("spring-campaign", root=tmp_path,
                         overrides={"start": "2025-03-01", "end": "2025-05-31"})
    assert params.baseline_window.end == date(2025, 2, 28) and params.baseline_window.days == params.window.days


def test_unknown_table_in_columns_mapping_is_an_error(tmp_path):
    with pytest.raises(ParamsError, match="columns.custmers"):
        load_params("2025Q3", root=tmp_path, overrides={"columns": {"custmers": {"a": "b"}}})


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("period: [2025Q3\n")
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(params_file=path, root=tmp_path)


def test_the_repository_params_validate():
    params = load_params("2025Q3")
    assert params.period == "2025Q3" and params.data is None and params.as_of == date(2025, 10, 15)


def test_a_demo_run_without_as_of_is_pinned_to_the_period_end_and_real_data_to_today(tmp_path):
    """Outside a project the demo has no params file: its frozen data must not be read as of today."""
    truth = json.loads((embedded_demo_path() / "ground_truth.json").read_text(encoding="utf-8"))
    assert date.fromisoformat(truth["generator"]["end"]) == DEMO_DATA_END
    # 15 days after the data's end, as the repository's 2025Q3 file: a backfill of 2025Q2 quarantines no Q3 row
    assert load_params("2025Q2", root=tmp_path, demo=True).as_of == date(2025, 10, 15)
    assert load_params("2026Q1", root=tmp_path, demo=True).as_of == date(2026, 4, 15)
    (tmp_path / "data").mkdir()
    real = load_params("2025Q2", root=tmp_path, overrides={"data": str(tmp_path / "data")}, demo=False)
    assert real.as_of == date.today()


def test_column_mapping_must_target_contract_columns(tmp_path):
    with pytest.raises(ParamsError, match="columns.customers maps to nme, which the contract does not have"):
        load_params("2025Q3", root=tmp_path, overrides={"columns": {"customers": {"姓名": "nme"}}})


def test_ab_tests_section_has_defaults_and_explains_bad_keys(tmp_path):
    settings = load_params("2025Q3", root=tmp_path).ab_tests
    assert (settings.alpha, settings.correction, settings.power, settings.srm_threshold) == (0.05, "holm", 0.8, 0.001)
    assert settings.planned_split == {} and settings.cost_per_contact == {}
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "defaults.yaml").write_text("ab_tests: {alhpa: 0.1}\n")
    with pytest.raises(ParamsError, match=r"`ab_tests.alhpa` is not a parameter \(did you mean `alpha`\?\)"):
        load_params("2025Q3", root=tmp_path)
    for bad, message in [({"correction": "bonferroni"}, "ab_tests.correction"), ({"alpha": 5}, "ab_tests.alpha"),
                         ({"target_lifts": [0]}, "target_lifts"),
                         ({"cost_per_contact": {"sms": -1}}, "cost_per_contact"),
                         ({"planned_split": {"A": {"control": 0, "t": 0}}}, "planned_split.A")]:
        with pytest.raises(ParamsError, match=message):
            load_params("2025Q3", root=tmp_path / "none", overrides={"ab_tests": bad})
