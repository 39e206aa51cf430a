"""Print the shop's import graph, one line per top-level module or package of rxshop/, in layer order (the order of
the layers contract in .importlinter; `lazy` marks the one import made inside a function to break a cycle).

    .venv/bin/python scripts/import_graph.py        # the text in README.md, "What is where"
"""
from __future__ import annotations

import configparser
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
LAZY = {("state", "app")}  # rxshop.state.order_state -> rxshop.app, inside push_order_update


def layer_order() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    layers = config["importlinter:contract:layers"]["layers"].split()
    return [name.removeprefix("rxshop.") for name in layers if name.startswith("rxshop.")]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("rxshop")
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        source = module.split(".")[1] if "." in module else None
        for imported in graph.find_modules_directly_imported_by(module):
            target = imported.split(".")[1] if "." in imported else None
            if source and target and source != target:
                edges.setdefault(source, set()).add(target)
    order = layer_order()
    names = order + sorted({m.split(".")[1] for m in graph.modules if "." in m} - set(order))
    rank = {name: i for i, name in enumerate(names)}
    for name in names:
        targets = sorted(edges.get(name, ()), key=rank.get)
        print((f"{name:15s} -> " + ", ".join(f"{t} (lazy)" if (name, t) in LAZY else t for t in targets)).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
