"""The deploy files, validated offline (no Docker daemon, no cluster here): hadolint for the Dockerfile,
kubernetes-validate for the manifests, `docker-compose config` for the compose file, `nginx -t` for the proxy."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
SERVE = ["python", "scripts/serve.py", "--port", "3000"]  # what every instance runs (the topology test too)
SECRET_ENV = {"REFLEX_DB_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SMTP_PASSWORD", "RXSHOP_METRICS_TOKEN"}


def tool(name: str) -> str:
    path = shutil.which(name, path=os.pathsep.join([str(BIN), os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    assert path, f"{name} is not installed: `make setup-dev` (pip) or .ci/run (apt) installs it"
    return path


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, **kw)


def manifests() -> dict[str, dict]:
    docs = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            docs[doc["kind"]] = doc
    return docs


def test_dockerfile_passes_hadolint_and_builds_once_runs_as_non_root():
    out = run([tool("hadolint"), "--config", str(DEPLOY / ".hadolint.yaml"), str(DEPLOY / "Dockerfile")])
    assert out.returncode == 0, out.stdout + out.stderr
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\w+))?", text, re.M)
    assert len(stages) == 2 and stages[0][1] == "build" and stages[1][1] == "runtime"
    runtime = text.split("AS runtime", 1)[1]
    assert "reflex export --frontend-only" in text.split("AS runtime", 1)[0]  # built once, in the build stage
    assert "bun" not in runtime and "npm" not in runtime  # slim: no frontend toolchain at run time
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert json.loads(re.findall(r"^CMD\s+(.+)$", runtime, re.M)[-1]) == SERVE
    assert not re.search(r"(?i)(secret|password|sk_live|sk_test|whsec_)\S*\s*=", text)


def test_the_topology_test_runs_what_the_containers_run():
    from tests.topology.stack import SERVE as TOPOLOGY_SERVE

    assert TOPOLOGY_SERVE[1:] == SERVE[1:-2]  # scripts/serve.py (the test picks its own ports)


def test_hadolint_really_checks():
    bad = run([tool("hadolint"), "-"], input="FROM python\nRUN apt-get install foo\n")
    assert bad.returncode != 0 and "DL3006" in bad.stdout


def test_kubernetes_manifests_are_valid_and_complete():
    out = run([tool("kubernetes-validate"), "--strict", *map(str, sorted((DEPLOY / "k8s").glob("*.yaml")))])
    assert out.returncode == 0, out.stdout + out.stderr
    docs = manifests()
    assert {"Deployment", "Service", "Ingress", "Job", "ConfigMap"} <= set(docs)
    dep = docs["Deployment"]
    assert dep["spec"]["replicas"] >= 2
    pod = dep["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    app = pod["containers"][0]
    assert app["command"] == SERVE
    assert app["readinessProbe"]["httpGet"]["path"] == "/api/health"
    assert app["livenessProbe"]["httpGet"]["path"] == "/api/health/live"
    env = {e["name"]: e for e in app["env"]}
    for name in SECRET_ENV:  # secrets only by reference, never a value in the manifest
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "rxshop-secrets", name
    assert not SECRET_ENV & set(docs["ConfigMap"]["data"])
    job = docs["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"] == ["reflex", "db", "migrate"] and "secretKeyRef" in job["env"][0]["valueFrom"]
    ingress = docs["Ingress"]
    assert int(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


def test_kubernetes_validate_really_checks(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: two}\n")
    assert run([tool("kubernetes-validate"), "--strict", str(bad)]).returncode != 0


def test_health_routes_of_the_probes_exist():
    from rxshop.api import api

    paths = {r.path for r in api.routes}
    assert {"/api/health", "/api/health/live"} <= paths


COMPOSE_ENV = {"POSTGRES_PASSWORD": "pw", "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_PUBLISHABLE_KEY": "pk_test_x",
               "STRIPE_WEBHOOK_SECRET": "whsec_x", "METRICS_TOKEN": "t"}


def compose(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    return run([tool("docker-compose"), "-f", str(DEPLOY / "compose.yaml"), "config"], env={**clean, **env})


def test_compose_file_is_valid_with_two_apps_behind_nginx():
    out = compose(COMPOSE_ENV)
    assert out.returncode == 0, out.stderr
    cfg = yaml.safe_load(out.stdout)
    services = cfg["services"]
    assert {"app1", "app2", "nginx", "postgres", "redis", "migrate"} <= set(services)
    for name in ("app1", "app2"):
        app = services[name]
        assert "command" not in app  # the image's CMD: scripts/serve.py
        assert app["environment"]["REFLEX_REDIS_URL"].startswith("redis://redis")
        assert app["environment"]["REFLEX_DB_URL"].startswith("postgresql+psycopg://")
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][-1].startswith("reflex db migrate")


def test_compose_refuses_to_start_without_secrets_in_the_environment():
    out = compose({k: v for k, v in COMPOSE_ENV.items() if k != "STRIPE_WEBHOOK_SECRET"})
    assert out.returncode != 0 and "STRIPE_WEBHOOK_SECRET" in out.stderr


def test_nginx_config_of_compose_is_accepted_by_nginx(tmp_path):
    conf = (DEPLOY / "nginx" / "default.conf").read_text()
    conf = conf.replace("app1:3000", "127.0.0.1:1").replace("app2:3000", "127.0.0.1:2")
    conf = conf.replace("/etc/nginx/rxshop/proxy.conf", str(DEPLOY / "nginx" / "proxy.conf"))
    conf = conf.replace("listen 8080;", "listen 127.0.0.1:1;")
    (tmp_path / "logs").mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                    f"http {{\naccess_log off;\n{conf}\n}}\n")
    out = run([tool("nginx"), "-t", "-p", str(tmp_path), "-c", str(main)])
    assert out.returncode == 0, out.stderr
