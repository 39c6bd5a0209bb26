import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// OpenTelemetry: enableTelemetry exports tokenward's metrics and spans over OTLP/HTTP (JSON) to
/// the collector endpoints of the OAuth mock server (tests/oauth/mock-server.mjs, `/v1/*`, read
/// back with `/__otlp`); outbound-request spans against the same real OAuth server.
final class TelemetryTests: XCTestCase {
    private func exports(_ kind: String) async throws -> [[String: Any]] {
        let (data, _) = try await OAuthMock.send(URLRequest(url: URL(string: try OAuthMock.issuer() + "/__otlp")!))
        let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return doc?[kind] as? [[String: Any]] ?? []
    }

    private func list(_ v: Any?) -> [[String: Any]] { v as? [[String: Any]] ?? [] }

    private func attributes(_ v: Any?) -> [String: String] {
        var out: [String: String] = [:]
        for a in list(v) {
            let value = a["value"] as? [String: Any] ?? [:]
            out[a["key"] as? String ?? ""] = (value["stringValue"] ?? value["intValue"]).map { "\($0)" }
        }
        return out
    }

    /// The last exported sum of each data point: "name|k=v,..." -> value.
    private func sums() async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for export in try await exports("metrics") {
            for rm in list(export["resourceMetrics"]) {
                for sm in list(rm["scopeMetrics"]) {
                    for m in list(sm["metrics"]) {
                        guard let sum = m["sum"] as? [String: Any] else { continue }
                        for p in list(sum["dataPoints"]) {
                            let attrs = attributes(p["attributes"]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
                            out["\(m["name"] as? String ?? "")|\(attrs)"] = Int("\(p["asInt"] ?? "")")
                        }
                    }
                }
            }
        }
        return out
    }

    private func spans() async throws -> [(String, [String: String])] {
        var out: [(String, [String: String])] = []
        for export in try await exports("traces") {
            for rs in list(export["resourceSpans"]) {
                for ss in list(rs["scopeSpans"]) {
                    for s in list(ss["spans"]) {
                        out.append((s["name"] as? String ?? "", attributes(s["attributes"])))
                    }
                }
            }
        }
        return out
    }

    func testDecisionsAndOutboundRequestsAreExported() async throws {
        try await OAuthMock.control("/__reset")
        let issuer = try OAuthMock.issuer()
        let keys = try ApiKeys(prefix: "tw_test", options: ApiKeysOptions())
        let secret = try keys.create(owner: "acct", scopes: []).secret.expose()
        let auth = try Authenticator(options: AuthenticatorOptions(apiKeys: keys))
        let request = { (headers: [HttpHeader]) in AuthRequest(headers: headers, clientIp: "198.51.100.1") }
        let clientSecret = "swift-secret-92eb5ffee6ae2fec"
        let telemetry = try enableTelemetry(options: TelemetryOptions(endpoint: issuer, protocol: "http/json"))
        do {
            for _ in 0..<3 { _ = try auth.authenticate(request: request([HttpHeader(name: "X-API-Key", value: secret)])) }
            _ = try auth.authenticate(request: request([]))
            let client = try await OAuthClient.discover(issuerUrl: issuer, clientId: "swift-client",
                                                        options: OAuthClientOptions(clientSecret: try Secret(value: clientSecret)))
            _ = try await client.clientCredentials(scopes: ["read"])
            let down = try OAuthClient(tokenUrl: "http://127.0.0.1:9/token", clientId: "swift-client",
                                       options: OAuthClientOptions(clientSecret: try Secret(value: clientSecret)))
            let code = await asyncErrorCode { _ = try await down.clientCredentials(scopes: []) }
            XCTAssertEqual(code, "network")
            try telemetry.flush()
        }
        try telemetry.shutdown()

        let s = try await sums()
        XCTAssertEqual(s["tokenward.gateway.decisions|outcome=allowed"], 3)
        XCTAssertEqual(s["tokenward.gateway.decisions|code=missing_credentials,outcome=refused"], 1)
        let tokens = try await spans().filter { $0.0 == "POST token" }
        XCTAssertEqual(tokens.count, 2)
        let ok = tokens.first { $0.1["error.type"] == nil }?.1 ?? [:]
        XCTAssertEqual([ok["http.request.method"], ok["http.response.status_code"], ok["tokenward.operation"]], ["POST", "200", "token"])
        XCTAssertEqual(tokens.first { $0.1["error.type"] != nil }?.1["error.type"], "network")
        let raw = String(decoding: try JSONSerialization.data(withJSONObject: [try await exports("metrics"), try await exports("traces")]), as: UTF8.self)
        XCTAssertFalse(raw.isEmpty || raw.contains(secret) || raw.contains(clientSecret))
    }

    func testBadOptionsAreInvalidInput() {
        XCTAssertEqual(errorCode { _ = try enableTelemetry(options: TelemetryOptions(endpoint: "ftp://127.0.0.1:4318")) }, "invalid_input")
        XCTAssertEqual(errorCode { _ = try enableTelemetry(options: TelemetryOptions(endpoint: "http://127.0.0.1:4318", protocol: "grpc")) }, "invalid_input")
    }
}
