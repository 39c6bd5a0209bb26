"""OpenTelemetry from Python: ``enable_telemetry`` exports tokenward's metrics and spans over
OTLP/HTTP to a collector, here a receiver on loopback that decodes the export with the
OpenTelemetry protobuf classes (``opentelemetry-proto``). Outbound-request spans are made against
the real OAuth server (tests/oauth/mock-server.mjs; node is required)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from test_oauth import MockServer

from tokenward import (
    ApiKeys,
    Authenticator,
    InvalidInputError,
    JwtIssuer,
    JwtKey,
    JwtVerifier,
    OAuthClient,
    TokenwardError,
    enable_telemetry,
)

CLIENT_SECRET = "py-secret-5f4dcc3b5aa765d6"


class Collector:
    """An OTLP/HTTP receiver: keeps every request (path, headers, body) and answers 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("content-type", self.headers.get("content-type", ""))
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def bodies(self, path: str) -> list[bytes]:
        return [b for p, _, b in self.requests if p == path]

    def metrics(self) -> dict[tuple[str, frozenset[tuple[str, str]]], int]:
        """The last exported value (sum or histogram count) of every tokenward data point."""
        out: dict[tuple[str, frozenset[tuple[str, str]]], int] = {}
        for body in self.bodies("/v1/metrics"):
            req = ExportMetricsServiceRequest.FromString(body)
            for rm in req.resource_metrics:
                for sm in rm.scope_metrics:
                    assert sm.scope.name == "tokenward"
                    for m in sm.metrics:
                        points = m.sum.data_points if m.HasField("sum") else m.histogram.data_points
                        for p in points:
                            attrs = frozenset((a.key, a.value.string_value) for a in p.attributes)
                            value = p.as_int if m.HasField("sum") else p.count
                            out[(m.name, attrs)] = value
        return out

    def spans(self) -> list:
        out = []
        for body in self.bodies("/v1/traces"):
            for rs in ExportTraceServiceRequest.FromString(body).resource_spans:
                for ss in rs.scope_spans:
                    out.extend(ss.spans)
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    yield c
    c.close()


def key(name: str, **attrs: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return (name, frozenset(attrs.items()))


def span_attrs(span) -> dict[str, object]:
    out: dict[str, object] = {}
    for a in span.attributes:
        v = a.value
        out[a.key] = v.string_value if v.HasField("string_value") else v.int_value
    return out


def test_decisions_and_verifications_counted_by_outcome_and_code(collector: Collector) -> None:
    keys = ApiKeys("tw_test")
    secret = keys.create("acct").secret.expose()
    typo = secret[:-1] + ("b" if secret[-1] == "a" else "a")
    auth = Authenticator(api_keys=keys)
    telemetry = enable_telemetry(
        collector.endpoint, service_name="py-app", headers={"x-collector-key": "collector-key"}
    )
    try:
        for _ in range(3):
            assert (
                auth.authenticate("GET", "/?api_key=x", {"x-api-key": secret}, "198.51.100.1").subject
                == "acct"
            )
        for _ in range(2):
            assert (
                auth.authenticate("GET", "/", {"x-api-key": typo}, "198.51.100.1").code == "checksum_mismatch"
            )
        assert auth.authenticate("GET", "/", {}, "198.51.100.1").code == "missing_credentials"
        hmac = JwtKey.hmac(b"k" * 32, "HS256")
        jwt = JwtIssuer(hmac, algorithm="HS256").issue({"sub": "u"})
        verifier = JwtVerifier(hmac, algorithms=["HS256"])
        verifier.verify(jwt)
        verifier.verify(jwt)
        with pytest.raises(TokenwardError):
            verifier.verify("not.a.jwt")
        telemetry.flush()
    finally:
        telemetry.shutdown()

    m = collector.metrics()
    assert m[key("tokenward.gateway.decisions", outcome="allowed")] == 3
    assert m[key("tokenward.gateway.decisions", outcome="refused", code="checksum_mismatch")] == 2
    assert m[key("tokenward.gateway.decisions", outcome="refused", code="missing_credentials")] == 1
    assert m[key("tokenward.gateway.decision.duration", outcome="allowed")] == 3
    assert m[key("tokenward.jwt.verifications", outcome="valid")] == 2
    assert m[key("tokenward.jwt.verifications", outcome="invalid", code="malformed")] == 1
    path, headers, body = next(r for r in collector.requests if r[0] == "/v1/metrics")
    assert headers["content-type"] == "application/x-protobuf"
    assert headers["x-collector-key"] == "collector-key"
    resource = ExportMetricsServiceRequest.FromString(body).resource_metrics[0].resource
    assert {a.key: a.value.string_value for a in resource.attributes}["service.name"] == "py-app"
    # Records exist, and no exported byte holds a credential.
    assert collector.bodies("/v1/metrics")
    for _, _, raw in collector.requests:
        for s in (secret, typo, jwt, "api_key"):
            assert s.encode() not in raw


def test_outbound_requests_are_spans_with_the_code_of_a_failure(collector: Collector) -> None:
    server = MockServer()
    telemetry = enable_telemetry(collector.endpoint)
    try:
        client = OAuthClient.discover(server.issuer, "py-client", CLIENT_SECRET)
        token = client.client_credentials(["read"]).access_token.expose()
        assert client.introspect(token).active
        client.revoke(token)
        down = OAuthClient("http://127.0.0.1:9/token", "py-client", CLIENT_SECRET)
        with pytest.raises(TokenwardError) as err:
            down.client_credentials([])
        assert err.value.code == "network"
        telemetry.flush()
    finally:
        telemetry.shutdown()
        server.stop()

    spans = collector.spans()
    names = sorted(s.name for s in spans)
    assert names.count("POST token") == 2, names
    assert names.count("POST introspection") == 1 and names.count("POST revocation") == 1, names
    assert "GET discovery" in names, names
    port = int(server.issuer.rsplit(":", 1)[1])
    ok = next(s for s in spans if s.name == "POST token" and "error.type" not in span_attrs(s))
    attrs = span_attrs(ok)
    assert attrs["http.request.method"] == "POST"
    assert attrs["http.response.status_code"] == 200
    assert (attrs["server.address"], attrs["server.port"]) == ("127.0.0.1", port)
    assert attrs["tokenward.operation"] == "token"
    assert ok.kind == ok.SPAN_KIND_CLIENT
    failed = next(s for s in spans if s.name == "POST token" and "error.type" in span_attrs(s))
    assert span_attrs(failed)["error.type"] == "network"
    assert failed.status.code == failed.status.STATUS_CODE_ERROR
    for _, _, raw in collector.requests:
        for s in (CLIENT_SECRET, token):
            assert s.encode() not in raw


def test_off_until_enabled_and_after_shutdown(collector: Collector) -> None:
    keys = ApiKeys("tw_test")
    auth = Authenticator(api_keys=keys)
    for _ in range(4):
        auth.authenticate("GET", "/", {}, "198.51.100.1")
    telemetry = enable_telemetry(collector.endpoint, protocol="http/json")
    auth.authenticate("GET", "/", {}, "198.51.100.1")
    telemetry.flush()
    telemetry.shutdown()
    assert decisions(collector) == 1
    # After shutdown nothing is recorded: a new provider counts only its own decisions.
    for _ in range(3):
        auth.authenticate("GET", "/", {}, "198.51.100.1")
    collector.requests.clear()
    telemetry = enable_telemetry(collector.endpoint, protocol="http/json")
    auth.authenticate("GET", "/", {}, "198.51.100.1")
    telemetry.flush()
    telemetry.shutdown()
    assert decisions(collector) == 1


def decisions(collector: Collector) -> int:
    """The refused-decision count of the last OTLP/JSON metrics export."""
    path, headers, body = [r for r in collector.requests if r[0] == "/v1/metrics"][-1]
    assert headers["content-type"] == "application/json"
    doc = json.loads(body)
    points = [
        p
        for rm in doc["resourceMetrics"]
        for sm in rm["scopeMetrics"]
        for m in sm["metrics"]
        if m["name"] == "tokenward.gateway.decisions"
        for p in m["sum"]["dataPoints"]
    ]
    assert len(points) == 1
    return int(points[0]["asInt"])


def test_bad_options_are_invalid_input() -> None:
    for endpoint in ("ftp://127.0.0.1:4318", "not a url", ""):
        with pytest.raises(InvalidInputError):
            enable_telemetry(endpoint)
    with pytest.raises(InvalidInputError):
        enable_telemetry("http://127.0.0.1:4318", protocol="grpc")
    with pytest.raises(InvalidInputError):
        enable_telemetry("http://127.0.0.1:4318", export_interval=0)
    with pytest.raises(InvalidInputError):
        enable_telemetry("http://127.0.0.1:4318", headers={"bad header": "x"})
