"""Lighthouse scores (performance, accessibility, best practices, SEO) of the catalog and a product page.

Usage: python bench/lighthouse_bench.py --url http://127.0.0.1:3000 [--paths / /product/lofi-focus-album]
Runs the project-local Lighthouse (`make bench` installs it into .tools/lighthouse) against Debian's Chromium
(CHROME_PATH), offline: Lighthouse needs no network beyond the shop. Each page is audited with Lighthouse's default
(mobile, simulated slow 4G and 4x CPU slowdown) and its desktop preset. Prints the scores (0-100) and the budget;
asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import system_chromium  # noqa: E402

LIGHTHOUSE = ROOT / ".tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
BUDGET = 90
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def audit(url: str, desktop: bool = False) -> dict:
    """One Lighthouse run: {"scores": {category: 0-100}, "failing": {category: [audit titles below 0.9]}}."""
    cmd = [str(LIGHTHOUSE), url, "--output=json", "--output-path=stdout", "--quiet",
           f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
    if desktop:
        cmd.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": system_chromium() or ""}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"lighthouse failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    report = json.loads(out.stdout)
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {report['runtimeError'].get('message')}")
    scores, failing = {}, {}
    for cat in CATEGORIES:
        category = report["categories"][cat]
        scores[cat] = round((category["score"] or 0) * 100)
        failing[cat] = [report["audits"][ref["id"]]["title"] for ref in category["auditRefs"]
                        if ref["weight"] and (report["audits"][ref["id"]].get("score") is not None)
                        and report["audits"][ref["id"]]["score"] < 0.9]
    metrics = {k: report["audits"][k].get("numericValue") for k in
               ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")}
    return {"scores": scores, "failing": failing, "metrics": metrics}


def run(url: str, paths: list[str]) -> dict:
    """{"<form> <path>": audit(...)} for the mobile default and the desktop preset of every path."""
    results = {}
    for path in paths:
        for desktop in (False, True):
            results[f"{'desktop' if desktop else 'mobile'} {path}"] = audit(url.rstrip("/") + path, desktop)
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--paths", nargs="+", default=["/", "/product/lofi-focus-album"])
    args = ap.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"no Lighthouse at {LIGHTHOUSE}: run `make lighthouse` (npm, project-local)")
    for name, r in run(args.url, args.paths).items():
        s = r["scores"]
        verdict = "ok" if min(s.values()) >= BUDGET else f"below the budget of {BUDGET}"
        print(f"lighthouse {name}: " + ", ".join(f"{k} {v}" for k, v in s.items()) + f" ({verdict})")
        for cat, titles in r["failing"].items():
            if titles:
                print(f"  {cat}: " + "; ".join(titles))


if __name__ == "__main__":
    main()
