"""The ASGI and WSGI adapters under load: FastAPI under uvicorn and Flask under gunicorn (one
sync worker), each server a single process on 127.0.0.1, driven by autocannon (Node's, from
node/node_modules: ``cd node && npm ci`` installs it) with a fixed number of connections for a
fixed time, in rounds that visit every variant in turn (rotated order), so all variants see the
same machine load. Every variant answers {"sub": "alice"} to GET /v1/things with the same HS256
bearer JWT:

  none        no authentication (the framework's own cost)
  inline      the handler calls ``auth.authenticate(...)`` itself: the floor for the adapter
  tokenward   ``tokenward.asgi.AuthMiddleware`` / ``tokenward.wsgi.AuthMiddleware``
  peer        PyJWT: a FastAPI dependency (HTTPBearer + ``jwt.decode``) / a Flask decorator

    python3 -P python/bench/bench_adapters_load.py [fastapi|flask ...] [--rounds 5] [--duration 4]
    python3 -P python/bench/bench_adapters_load.py --callgrind [--requests 1000]   (FastAPI)

``--callgrind`` (FastAPI only: gunicorn's forked worker is out of callgrind_control's reach):
instead, each server in turn runs under valgrind's callgrind and the instructions it executes
per request are counted (after as many warm-up requests): a figure the machine's load does not
move.

Per-request server cost: 1e6 / req/s (wall time; the single-process server is the bottleneck)
and the server's CPU time per request (utime+stime from /proc/PID/stat, the gunicorn worker
included), medians over the rounds. A benchmark, not a test.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SECRET = "adapters-load-bench-secret-0123456789abcdef"
PATH = "/v1/things"
VARIANTS = ("none", "inline", "tokenward", "peer")
PEER = {"fastapi": "fastapi + PyJWT", "flask": "flask + PyJWT"}
REPO = Path(__file__).resolve().parents[2]
AUTOCANNON = REPO / "node" / "node_modules" / ".bin" / "autocannon"


def _authenticator():  # type: ignore[no-untyped-def]
    from tokenward import Authenticator, JwtKey, JwtVerifier

    key = JwtKey.hmac(SECRET, "HS256")
    return Authenticator(jwt=JwtVerifier(key, algorithms=["HS256"]))


def make_fastapi():  # type: ignore[no-untyped-def]
    """The FastAPI app of variant $BENCH_VARIANT (uvicorn --factory)."""
    import jwt
    from fastapi import Depends, FastAPI, HTTPException, Request
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

    variant = os.environ["BENCH_VARIANT"]
    app = FastAPI()
    auth = _authenticator()
    if variant == "none":

        @app.get(PATH)
        async def none() -> dict[str, str]:
            return {"sub": "alice"}

    elif variant == "inline":

        @app.get(PATH)
        async def inline(request: Request) -> dict[str, str]:
            scope = request.scope
            client = scope["client"]
            p = auth.authenticate(scope["method"], scope["path"], scope["headers"], client[0] if client else None)
            if not p:
                raise HTTPException(p.status, p.error)
            return {"sub": p.subject}

    elif variant == "tokenward":
        from tokenward.asgi import AuthMiddleware

        app.add_middleware(AuthMiddleware, authenticator=auth)

        @app.get(PATH)
        async def with_middleware(request: Request) -> dict[str, str]:
            return {"sub": request.state.principal.subject}

    else:
        bearer = HTTPBearer()

        async def claims(creds: HTTPAuthorizationCredentials = Depends(bearer)) -> dict[str, object]:
            try:
                return jwt.decode(creds.credentials, SECRET, algorithms=["HS256"])
            except jwt.InvalidTokenError as err:
                raise HTTPException(401, "invalid_token") from err

        @app.get(PATH)
        async def with_pyjwt(c: dict[str, object] = Depends(claims)) -> dict[str, object]:
            return {"sub": c["sub"]}

    return app


def make_flask():  # type: ignore[no-untyped-def]
    """The Flask app of variant $BENCH_VARIANT (gunicorn 'module:make_flask()')."""
    import functools

    import jwt
    from flask import Flask, abort, request

    variant = os.environ["BENCH_VARIANT"]
    app = Flask(__name__)
    auth = _authenticator()
    if variant == "none":

        @app.get(PATH)
        def none() -> dict[str, str]:
            return {"sub": "alice"}

    elif variant == "inline":

        @app.get(PATH)
        def inline() -> dict[str, str]:
            e = request.environ
            h = e.get("HTTP_AUTHORIZATION")
            p = auth.authenticate(
                e["REQUEST_METHOD"], e["PATH_INFO"], [("authorization", h)] if h else [], e.get("REMOTE_ADDR")
            )
            if not p:
                abort(p.status)
            return {"sub": p.subject}

    elif variant == "tokenward":
        from tokenward.wsgi import ENVIRON_KEY, AuthMiddleware

        app.wsgi_app = AuthMiddleware(app.wsgi_app, authenticator=auth)  # type: ignore[method-assign]

        @app.get(PATH)
        def with_middleware() -> dict[str, str]:
            return {"sub": request.environ[ENVIRON_KEY].subject}

    else:

        def require_jwt(view):  # type: ignore[no-untyped-def]
            @functools.wraps(view)
            def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
                header = request.headers.get("Authorization", "")
                if not header.startswith("Bearer "):
                    abort(401)
                try:
                    claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"])
                except jwt.InvalidTokenError:
                    abort(401)
                return view(claims, *args, **kwargs)

            return wrapper

        @app.get(PATH)
        @require_jwt
        def with_pyjwt(claims: dict[str, object]) -> dict[str, object]:
            return {"sub": claims["sub"]}

    return app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_micros(pid: int) -> float:
    """utime + stime of ``pid`` and its children (gunicorn's worker), in µs."""
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for p in [pid, *map(int, children)]:
        stat = Path(f"/proc/{p}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) * 1e6 / os.sysconf("SC_CLK_TCK")
    return total


class Server:
    def __init__(self, framework: str, variant: str, valgrind: list[str] | None = None) -> None:
        self.framework, self.variant = framework, variant
        self.port = _free_port()
        env = {**os.environ, "BENCH_VARIANT": variant, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
        bind = f"127.0.0.1:{self.port}"
        if framework == "fastapi":
            cmd = [sys.executable, "-m", "uvicorn", "--factory", "bench_adapters_load:make_fastapi",
                   "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning"]
        else:
            cmd = [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "sync",
                   "--bind", bind, "--log-level", "warning", "--timeout", "600", "bench_adapters_load:make_flask()"]
        self.proc = subprocess.Popen([*(valgrind or []), *cmd], env=env)
        self.url = f"http://{bind}{PATH}"
        self.rps: list[float] = []
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.answered = 0

    def check(self, headers: dict[str, str], seconds: float = 20) -> None:
        for _ in range(int(seconds * 10)):
            try:
                with urllib.request.urlopen(urllib.request.Request(self.url, headers=headers)) as r:
                    body = json.loads(r.read())
                    if r.status != 200 or body != {"sub": "alice"}:
                        raise SystemExit(f"{self.framework}/{self.variant}: {r.status} {body}")
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"{self.framework}/{self.variant}: server did not start")

    def run(self, headers: dict[str, str], connections: int, seconds: float, amount: int = 0) -> tuple[float, float]:
        cmd = [str(AUTOCANNON), "--json", "-c", str(connections), "-p", "1"]
        cmd += ["-a", str(amount), "-t", "120"] if amount else ["-d", str(seconds)]
        for k, v in headers.items():
            cmd += ["-H", f"{k}={v}"]
        cpu0 = _cpu_micros(self.proc.pid)
        out = subprocess.run([*cmd, self.url], capture_output=True, text=True, check=True).stdout
        cpu = _cpu_micros(self.proc.pid) - cpu0
        r = json.loads(out)
        if r["errors"] or r["non2xx"] or r["timeouts"]:
            raise SystemExit(f"{self.framework}/{self.variant}: {r['errors']} errors, {r['non2xx']} non-2xx")
        ok = r["2xx"]
        self.answered = ok  # with --amount, gunicorn's sync worker closes each connection: a
        # request autocannon already wrote on it is lost (not served, not counted here)
        return ok / r["duration"], cpu / ok


def instructions(frameworks: list[str], headers: dict[str, str], requests: int) -> None:
    """Instructions per request of each server under callgrind, one server at a time."""
    import tempfile

    ir = {}
    with tempfile.TemporaryDirectory(prefix="adapters-callgrind-") as tmp:
        for f in frameworks:
            for v in VARIANTS:
                out = Path(tmp) / f"{f}-{v}"
                s = Server(f, v, ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", "-q"])
                try:
                    s.check(headers, seconds=600)
                    s.run(headers, 4, 0, amount=requests)  # warm-up, not counted
                    pid = str(s.proc.pid)
                    subprocess.run(["callgrind_control", "--zero", pid], check=True, capture_output=True)
                    s.run(headers, 4, 0, amount=requests)
                    subprocess.run(["callgrind_control", "--dump", pid], check=True, capture_output=True)
                    text = max(Path(tmp).glob(f"{f}-{v}.*.*"), key=lambda p: p.stat().st_mtime_ns).read_text()
                finally:
                    s.proc.terminate()
                    s.proc.wait()
                total = next(int(line.split()[1]) for line in text.splitlines()
                             if line.startswith(("summary:", "totals:")))
                ir[f, v] = total / s.answered
                print(f"{f} {v}: {ir[f, v]:.0f} instructions per request", file=sys.stderr)
    print(f"instructions per request (callgrind, {requests} requests after {requests} warm-up)")
    for f in frameworks:
        none, inline, tw, peer = (ir[f, v] for v in VARIANTS)
        print(
            f"{f}: none {none / 1e3:.1f} k, inline {inline / 1e3:.1f} k, tokenward {tw / 1e3:.1f} k, "
            f"{PEER[f]} {peer / 1e3:.1f} k; authenticate in the handler {(inline - none) / 1e3:.1f} k, "
            f"adapter added {(tw - inline) / 1e3:.1f} k, tokenward minus {PEER[f]} {(tw - peer) / 1e3:.1f} k"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("frameworks", nargs="*", help="fastapi, flask (default both)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=4, help="seconds per variant and round")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--callgrind", action="store_true", help="count instructions per request instead")
    ap.add_argument("--requests", type=int, default=1000, help="with --callgrind: requests counted")
    args = ap.parse_args()
    frameworks = args.frameworks or ["fastapi", "flask"]
    if not set(frameworks) <= set(PEER):
        ap.error(f"frameworks are {', '.join(PEER)}")
    if not AUTOCANNON.exists():
        raise SystemExit(f"{AUTOCANNON} is missing: cd node && npm ci")
    from tokenward import JwtIssuer, JwtKey

    token = JwtIssuer(JwtKey.hmac(SECRET, "HS256"), ttl=86400).issue({}, subject="alice")
    headers = {"authorization": f"Bearer {token}", "accept": "application/json", "user-agent": "autocannon"}
    if args.callgrind:
        if "flask" in args.frameworks:
            ap.error("--callgrind counts FastAPI only")
        instructions(args.frameworks or ["fastapi"], headers, args.requests)
        return
    servers = [Server(f, v) for f in frameworks for v in VARIANTS]
    try:
        for s in servers:
            s.check(headers)
        load = [os.getloadavg()[0]]
        for s in servers:
            s.run(headers, args.connections, 1)  # warm-up, not counted
        for rnd in range(args.rounds):
            for i in range(len(servers)):
                s = servers[(i + rnd) % len(servers)]
                rps, cpu = s.run(headers, args.connections, args.duration)
                s.rps.append(rps)
                s.wall.append(1e6 / rps)
                s.cpu.append(cpu)
            load.append(os.getloadavg()[0])
            print(f"round {rnd + 1}/{args.rounds} done (load {load[-1]:.2f})", file=sys.stderr)
    finally:
        for s in servers:
            s.proc.terminate()
        for s in servers:
            s.proc.wait()
    med = statistics.median
    print(
        f"{args.rounds} rounds x {args.duration:g} s per variant, {args.connections} connections, autocannon; "
        f"load average {min(load):.1f}-{max(load):.1f} (2 cores); medians over rounds"
    )
    print(f"{'server':<28} {'req/s':>8} {'µs/req wall':>12} {'µs/req CPU':>11}")
    by = {}
    for s in servers:
        by[s.framework, s.variant] = s
        name = f"{s.framework} {PEER[s.framework] if s.variant == 'peer' else s.variant}"
        print(f"{name:<28} {med(s.rps):>8.0f} {med(s.wall):>12.1f} {med(s.cpu):>11.1f}")

    def diff(a: Server, b: Server, field: str) -> str:
        # Paired per round (both ran in the same round), then the median.
        return f"{med(x - y for x, y in zip(getattr(a, field), getattr(b, field))):.1f}"

    for f in frameworks:
        none, inline, tw, peer = (by[f, v] for v in VARIANTS)
        print(
            f"{f}: authenticate in the handler {diff(inline, none, 'wall')} µs wall / {diff(inline, none, 'cpu')} µs CPU "
            f"over no auth; adapter added {diff(tw, inline, 'wall')} / {diff(tw, inline, 'cpu')}; "
            f"tokenward minus {PEER[f]} {diff(tw, peer, 'wall')} / {diff(tw, peer, 'cpu')}"
        )


if __name__ == "__main__":
    main()
