"""Two shop instances (separate processes, one frontend build) sharing PostgreSQL and Redis behind nginx, with the
Stripe sandbox and a mail sink: the production topology on one machine."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import sqlalchemy

from scripts.processes import BIN, ROOT, Process, free_port, wait_until
from tests.e2e.server import MailSink, Sandbox

SERVE = [str(BIN / "python"), "scripts/serve.py"]  # the command the containers run (deploy/Dockerfile CMD)


def nginx_binary() -> str:
    found = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if not found:
        raise RuntimeError("nginx is NOT installed (Debian package `nginx`; .ci/run installs it): "
                           "the topology tests need it")
    return found


def nginx_conf(workdir: Path, listen: int, upstreams: list[int]) -> str:
    """deploy/nginx/default.conf (the compose file's proxy), pointed at local instances."""
    server = (ROOT / "deploy" / "nginx" / "default.conf").read_text()
    for name, port in zip(("app1:3000", "app2:3000"), upstreams, strict=True):
        server = server.replace(name, f"127.0.0.1:{port}")
    server = server.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    server = server.replace("/etc/nginx/rxshop/proxy.conf", str(ROOT / "deploy" / "nginx" / "proxy.conf"))
    temp = "\n".join(f"{kind}_temp_path {workdir}/nginx-{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes 1;\npid {workdir}/nginx.pid;\nerror_log {workdir}/nginx-error.log warn;\n"
            f"events {{ worker_connections 1024; }}\nhttp {{\naccess_log {workdir}/nginx-access.log;\n{temp}\n"
            f"{server}\n}}\n")


def websockets_on(port: int) -> int:
    """Established TCP connections accepted on a local port. nginx closes its upstream HTTP connections after
    each request, so what stays open to an instance are the websockets it holds."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


class Topology:
    def __init__(self, workdir: Path, pg_url: str, redis_url: str):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ports = [free_port(), free_port()]
        self.pg_url = pg_url
        self.secret = "whsec_" + secrets.token_hex(16)
        self.mail = MailSink(workdir)
        self.sandbox = Sandbox(workdir, self.url + "/api/stripe/webhook", self.secret)
        self.instances: dict[int, Process] = {}
        self.nginx: Process | None = None
        self.env = {
            **os.environ,
            "REFLEX_DB_URL": pg_url,
            "REFLEX_REDIS_URL": redis_url,
            "REFLEX_OPLOCK_ENABLED": "true",
            "REFLEX_WEB_WORKDIR": str(workdir / "web"),
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_CHECK_LATEST_VERSION": "false",
            "GRANIAN_WORKERS": "1",
            "RXSHOP_LOG_FORMAT": "json",
            "RXSHOP_BASE_URL": self.url,
            "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.mail.port),
            "STRIPE_SECRET_KEY": "sk_test_sandbox", "STRIPE_PUBLISHABLE_KEY": "pk_test_sandbox",
            "STRIPE_WEBHOOK_SECRET": self.secret,
        }
        self.engine = sqlalchemy.create_engine(pg_url)

    def _run(self, cmd: list[str], log: str, **env) -> None:
        with (self.workdir / log).open("a") as out:
            done = subprocess.run(cmd, cwd=ROOT, env={**self.env, **env}, stdout=out, stderr=subprocess.STDOUT)
        if done.returncode:
            text = (self.workdir / log).read_text(errors="replace").splitlines()[-60:]
            raise RuntimeError(f"{' '.join(cmd)} failed:\n" + "\n".join(text))

    def start(self) -> None:
        self.mail.start()
        self.sandbox.start()
        self.env.update({"STRIPE_API_BASE": self.sandbox.url, "STRIPE_JS_URL": self.sandbox.url + "/v3/"})
        self._run([str(BIN / "reflex"), "db", "migrate"], "migrate.log")
        self._run([str(BIN / "python"), "-m", "rxshop.seed"], "migrate.log")
        # one frontend build for both instances, its websocket address is nginx's
        self._run([str(BIN / "reflex"), "export", "--frontend-only", "--no-zip"], "build.log",
                  REFLEX_API_URL=f"http://localhost:{self.port}")
        for port in self.ports:
            self.start_instance(port, wait=False)
        for port in self.ports:
            self.instances[port].wait_http(f"http://127.0.0.1:{port}/api/health", 120)
        conf = self.workdir / "nginx.conf"
        conf.write_text(nginx_conf(self.workdir, self.port, self.ports))
        self.nginx = Process([nginx_binary(), "-p", str(self.workdir), "-c", str(conf), "-e",
                              str(self.workdir / "nginx-error.log"), "-g", "daemon off;"],
                             name="nginx", output=self.workdir / "nginx.out").start()
        self.nginx.wait_http(self.url + "/api/health", 30)

    def log(self, port: int) -> Path:
        return self.workdir / f"instance-{port}.log"

    def start_instance(self, port: int, wait: bool = True) -> None:
        self.instances[port] = Process([*SERVE, "--port", str(port)], name=f"instance :{port}", env=self.env,
                                       output=self.log(port)).start()
        if wait:
            self.instances[port].wait_http(f"http://127.0.0.1:{port}/api/health", 120)

    def kill_instance(self, port: int) -> None:
        """As a machine dies: SIGKILL to the instance and its workers, no graceful shutdown."""
        self.instances.pop(port).kill()

    def holder(self, expected_total: int, timeout: float = 15) -> dict[int, int]:
        """Websockets per instance, once their total is what the test has open."""
        def counted() -> dict[int, int] | None:
            counts = {p: websockets_on(p) for p in self.ports}
            return counts if sum(counts.values()) == expected_total else None

        return wait_until(counted, timeout, interval=0.1,
                          message=lambda: str({p: websockets_on(p) for p in self.ports}))

    def json_logs(self, port: int) -> list[dict]:
        import json

        lines = self.log(port).read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{") and line.endswith("}")]

    def sql(self, query: str, **params) -> list:
        with self.engine.begin() as conn:
            result = conn.execute(sqlalchemy.text(query), params)
            return result.mappings().all() if result.returns_rows else []

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop(timeout=10)
        for proc in self.instances.values():
            proc.stop(timeout=15)
        self.sandbox.stop()
        self.mail.stop()
        self.engine.dispose()
