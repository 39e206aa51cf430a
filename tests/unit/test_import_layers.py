"""The house rules on imports (.importlinter): layers with no import running back up, no cycles but the lazy app
import, `stripe` only in rxshop/payments/, no Reflex in the rules, and the shop and the sandbox apart."""
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out
