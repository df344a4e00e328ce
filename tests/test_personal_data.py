"""Personal data never leaves the masking step (issue 11, section 3).

Distinctive names, phones and e-mails are planted in the identity columns of three customers
and in every free-text and staff column of every table; one run of all notebooks follows, and
every artifact (HTML, PDF text, executed notebooks, CSV, XLSX, JSON, YAML, logs) and the console
output are scanned for them.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from bad_input_cases import csv_line, lines, write_lines

from crmreport.cli import main
from crmreport.core.contract import FREE_TEXT_COLUMNS, STAFF_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("Zebulon Quixotefield", "鲍翠蓓", "Quixotefield Robotics Co., Ltd.", "Emily Wakefieldson", "欧阳德明")
CONTACTS = ("Zebulon Quixotefield", "鲍翠蓓", "鲍翠蓓经理", "Director Emily Wakefieldson", "司马德明经理")
PHONES = ("139-2468-1357 / 010-86421111", "+86 137 1593 5728", "150.9751.3579; 01075312222", "+86 1381 234 5671",
          "１３６２４６８９７５３")
EMAILS = ("zebulon.q@planted.example; second.addr@planted.example", "cuibei.bao@planted.example",
          "robotics.sales@planted.example", "鲍翠蓓@公司.cn", "emily.w＠planted.example")
FREE_TEXT = ("call 139 2468 1357 or 150.9751.3579, landline 010-86421111 / 01075312222, +86 137 1593 5728; "
             "mail zebulon.q@planted.example and cuibei.bao@planted.example; ask Zebulon Quixotefield or 鲍翠蓓; "
             "+86 1381 234 5671, (0755) 8642 9753, １３６２４６８９７５３, 139—2468—1357, +44 20 7946 0958, "
             "鲍翠蓓@公司.cn, emily.w＠planted.example, ID 11010519900307123X, 微信: quixote_z88, QQ 83746152; "
             "司马德明说 德明说; Wakefieldson agreed, Emily called; 鲍翠蓓经理说")
#: raw forms that must appear nowhere (their masked forms keep only the first 3 and last 4 digits)
NEVER = ("Quixotefield", "ebulon", "翠蓓", "zebulon.q@", "second.addr", "cuibei.bao", "robotics.sales@",
         "2468-1357", "2468 1357", "13924681357", "9751.3579", "1593 5728", "13715935728", "86421111",
         "75312222", "8642-", "0108642", "1381 234", "13812345671", "8642 9753", "２４６８", "2468—",
         "mily.w", "0105199003", "uixote_z", "83746152", "德明", "Wakefieldson", "Emily", "20 7946")


def plant(folder: Path) -> None:
    rows = lines(folder, "customers")
    header = rows[0].split(",")
    for number, (name, contact, phone, email) in enumerate(zip(NAMES, CONTACTS, PHONES, EMAILS, strict=True), 2):
        values = next(iter(csv.reader([rows[number - 1]])))
        for column, value in (("name", name), ("contact_name", contact), ("phone", phone), ("email", email)):
            values[header.index(column)] = value
        rows[number - 1] = csv_line(values)
    write_lines(folder, "customers", rows)
    for table, columns in FREE_TEXT_COLUMNS.items():
        staff = STAFF_COLUMNS.get(table, ())
        rows = lines(folder, table)
        header = next(iter(csv.reader([rows[0]])))
        for number in (2, 3, 4):
            values = next(iter(csv.reader([rows[number - 1]])))
            for column in (*columns, *staff):
                if column == "arm":
                    continue  # an arm is a design label, not text: a new arm would be a new campaign
                text = FREE_TEXT if column not in staff else "call 139 2468 1357, zebulon.q@planted.example"
                values[header.index(column)] = text
            rows[number - 1] = csv_line(values)
        write_lines(folder, table, rows)


def artifact_texts(folder: Path) -> dict[str, str]:
    """Every file of a report as text (PDFs through pdftotext, workbooks through their XML), and its name."""
    texts = {}
    for path in folder.rglob("*"):
        texts[f"name of {path}"] = str(path.relative_to(folder))
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            texts[str(path)] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                              check=True).stdout
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as workbook:
                texts[str(path)] = "\n".join(workbook.read(name).decode("utf-8", "replace")
                                             for name in workbook.namelist() if name.endswith(".xml"))
        elif path.suffix in (".png", ".parquet"):
            continue
        else:
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return texts


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("personal")
    folder = work / "data"
    assert main(["demo-data", str(folder), "--customers", "300", "--seed", "3"]) == 0
    (folder / "ground_truth.json").unlink()
    plant(folder)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("CRMREPORT_PROJECT", str(ROOT))
    monkeypatch.chdir(work)
    capture = work / "console.txt"
    try:
        with capture.open("w", encoding="utf-8") as console:
            done = subprocess.run(
                [sys.executable, "-m", "crmreport.cli", "run", "--period", "2025Q3", "--data",
                 str(folder), "--out", str(work / "reports")], stdout=console, stderr=subprocess.STDOUT, cwd=work,
                env={**os.environ, "CRMREPORT_PROJECT": str(ROOT)}, timeout=1200)
    finally:
        monkeypatch.undo()
    return work, done.returncode, capture.read_text(encoding="utf-8")


def test_the_run_completes(planted_run):
    _, code, console = planted_run
    assert code == 0, console


def test_no_planted_value_in_any_artifact_or_the_console(planted_run):
    work, _, console = planted_run
    texts = artifact_texts(work / "reports")
    kinds = {Path(name).suffix for name in texts}
    assert {".html", ".pdf", ".ipynb", ".csv", ".xlsx", ".json", ".yaml", ".log"} <= kinds, kinds
    texts["console"] = console
    leaks = {name: [word for word in NEVER if word in text] for name, text in texts.items()}
    assert {name: words for name, words in leaks.items() if words} == {}


def test_masked_forms_reach_the_report(planted_run):
    work, _, _ = planted_run
    profile = (work / "reports" / "2025Q3" / "results" / "customer_profile.csv").read_text(encoding="utf-8-sig")
    assert "Z*" in profile and "鲍*" in profile


def test_what_was_masked_is_counted_in_the_manifest_and_the_log(planted_run):
    import json

    work, _, _ = planted_run
    report = work / "reports" / "2025Q3"
    tables = json.loads((report / "manifest.json").read_text(encoding="utf-8"))["data"]["tables"]
    for table, columns in FREE_TEXT_COLUMNS.items():
        planted = [column for column in columns if column != "arm"]
        assert all(tables[table]["masked"].get(column, 0) >= 3 for column in planted), (table, tables[table]["masked"])
    assert tables["customers"]["masked"]["phone"] > 0 and "transaction_id" not in tables["transactions"]["masked"]
    log = (report / "run.log").read_text(encoding="utf-8")
    assert "table tasks: personal values masked in feedback" in log
