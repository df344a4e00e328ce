"""The contract, its documentation and the message catalog stay in step."""

from pathlib import Path

from crmreport.core.contract import TABLES, contract_markdown
from crmreport.core.i18n import LANGUAGES, catalog

ROOT = Path(__file__).resolve().parents[1]


def test_data_contract_doc_is_generated_from_the_contract():
    doc = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert doc.endswith(contract_markdown()), "run `python scripts/write_contract_doc.py`"


def test_every_catalog_message_has_every_language():
    for key, texts in catalog().items():
        assert set(texts) == set(LANGUAGES), f"{key} has {sorted(texts)}"
        assert all(isinstance(text, str) and text.strip() for text in texts.values()), key


def test_every_table_has_a_label_in_both_languages():
    for name in TABLES:
        assert set(catalog()[f"label.table_{name}"]) == set(LANGUAGES)


def test_keys_are_declared_columns():
    for spec in TABLES.values():
        assert set(spec.key) <= set(spec.column_names)
        for earlier, later in spec.ordered:
            assert {earlier, later} <= set(spec.column_names)


def test_params_reference_documents_every_parameter():
    from crmreport.settings import Params

    doc = (ROOT / "docs" / "params.md").read_text(encoding="utf-8")
    assert [name for name in Params.model_fields if f"`{name}`" not in doc] == []


def test_ab_tests_reference_documents_every_setting_and_campaign_plan_key():
    from crmreport.settings.abtests import AbTests, CampaignPlan

    doc = (ROOT / "docs" / "params.md").read_text(encoding="utf-8")
    assert [name for name in [*AbTests.model_fields, *CampaignPlan.model_fields] if f"`{name}`" not in doc] == []


def test_segmentation_reference_documents_every_threshold():
    from crmreport.settings.segmentation import Segmentation, Strategy

    doc = (ROOT / "docs" / "params.md").read_text(encoding="utf-8")
    names = [*Segmentation.model_fields, *Strategy.model_fields]
    assert [name for name in names if f"`{name}`" not in doc] == []


def test_cli_reference_documents_every_option():
    from crmreport.cli import _parser

    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert f"crmreport {name}" in doc
        for action in command._actions:
            for flag in action.option_strings:
                assert flag in doc or flag == "-h" or flag == "--help", f"{name} {flag}"


def test_environment_yml_mirrors_pyproject_dependencies():
    import re
    import tomllib

    import yaml

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_names = {re.split(r"[<>=\[ ]", d)[0].removeprefix("python-") for d in conda if isinstance(d, str)}
    pypi_names = {re.split(r"[<>=\[ ]", d)[0] for d in project}
    assert pypi_names <= conda_names, pypi_names - conda_names
