import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import Tokenward

/// The OAuth 2.0 / OIDC mock server (tests/oauth/mock-server.mjs, the npm package
/// oauth2-mock-server), started by scripts/test-swift.sh on the host and announced in
/// TOKENWARD_OAUTH_ISSUER (the Swift root shares the host's network). A missing server fails
/// these tests rather than skipping them.
enum OAuthMock {
    struct NotStarted: Error, CustomStringConvertible {
        var description: String { "TOKENWARD_OAUTH_ISSUER is not set: run scripts/test-swift.sh" }
    }

    static func issuer() throws -> String {
        guard let s = ProcessInfo.processInfo.environment["TOKENWARD_OAUTH_ISSUER"], !s.isEmpty else {
            throw NotStarted()
        }
        return s
    }

    /// Sends `request` without following redirects.
    static func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return try await withCheckedThrowingContinuation { cont in
            session.dataTask(with: request) { data, response, error in
                if let error = error {
                    cont.resume(throwing: error)
                } else {
                    cont.resume(returning: (data ?? Data(), response as! HTTPURLResponse))
                }
            }.resume()
        }
    }

    /// POSTs to a test-control endpoint (`/__reset`, `/__stats`, `/__delay?ms=`, …).
    @discardableResult
    static func control(_ path: String) async throws -> [String: Any] {
        var req = URLRequest(url: URL(string: try issuer() + path)!)
        req.httpMethod = "POST"
        let (data, _) = try await send(req)
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Requests the server has counted on `endpoint` (`token`, `introspect`, `jwks`, …).
    static func count(_ endpoint: String) async throws -> Int {
        (try await control("/__stats")[endpoint] as? Int) ?? 0
    }

    private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask,
                        willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest,
                        completionHandler: @escaping (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }
}

/// Collects events of the global audit callback interface.
final class AuditCollector: AuditListener, @unchecked Sendable {
    private let lock = NSLock()
    private var items: [AuditEvent] = []
    func onEvent(event: AuditEvent) {
        lock.lock(); defer { lock.unlock() }
        items.append(event)
    }
    var events: [AuditEvent] {
        lock.lock(); defer { lock.unlock() }
        return items
    }
}

/// Collects the hooks of a token source.
final class ListenerCollector: TokenSourceListener, @unchecked Sendable {
    private let lock = NSLock()
    private var refreshTokens: [String] = []
    private var printed: [String] = []
    private var codes: [String] = []
    func onRefresh(tokens: TokenResponse) {
        lock.lock(); defer { lock.unlock() }
        refreshTokens.append(tokens.refreshToken()?.expose() ?? "")
        printed.append(tokens.description)
    }
    func onError(code: ErrorCode, message: String) {
        lock.lock(); defer { lock.unlock() }
        codes.append(code.description)
    }
    var snapshot: (refreshTokens: [String], printed: [String], codes: [String]) {
        lock.lock(); defer { lock.unlock() }
        return (refreshTokens, printed, codes)
    }
}

func errorCode(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let e as TokenwardError {
        return e.code.description
    } catch {
        return "unexpected: \(error)"
    }
}

func asyncErrorCode(_ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch let e as TokenwardError {
        return e.code.description
    } catch {
        return "unexpected: \(error)"
    }
}

/// OAuthClient, TokenSource, AccessToken and Pkce against the real mock server.
final class OAuthTests: XCTestCase {
    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    private func client() async throws -> OAuthClient {
        try await OAuthClient.discover(issuerUrl: try OAuthMock.issuer(), clientId: "swift-client",
                                       options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret")))
    }

    private func concurrentFingerprints(_ src: TokenSource, _ n: Int) async throws -> Set<String> {
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<n {
                group.addTask { try await src.token().fingerprint() }
            }
            var fps = Set<String>()
            for try await fp in group { fps.insert(fp) }
            return fps
        }
    }

    func testClientCredentialsRefreshRotationIntrospectionRevocation() async throws {
        let issuer = try OAuthMock.issuer()
        let client = try await client()
        XCTAssertEqual(client.issuer(), issuer)
        XCTAssertEqual(client.tokenUrl(), issuer + "/token")
        XCTAssertNotNil(client.jwksUri())
        XCTAssertEqual(client.authMethod(), .clientSecretBasic)
        XCTAssertEqual(client.authMethod().description, "client_secret_basic")

        let r = try await client.clientCredentials(scopes: ["read", "write"])
        let tok = r.accessToken()
        XCTAssertEqual(tok.scopes(), ["read", "write"])
        XCTAssertEqual(tok.tokenType(), "Bearer")
        XCTAssertEqual(r.expiresIn(), 3600)
        XCTAssertGreaterThan(tok.expiresAt()!, Date().addingTimeInterval(3500))
        XCTAssertEqual(tok.expose().filter { $0 == "." }.count, 2)
        XCTAssertFalse(tok.description.contains(tok.expose()))
        XCTAssertFalse("\(tok)".contains(tok.expose()))
        XCTAssertTrue(tok.description.contains(tok.fingerprint()))
        XCTAssertFalse(r.description.contains(tok.expose()))

        let first = try await client.refresh(refreshToken: try Secret(value: "rt-initial"))
        let rt1 = try XCTUnwrap(first.refreshToken())
        let second = try await client.refresh(refreshToken: rt1)
        let rt2 = try XCTUnwrap(second.refreshToken())
        XCTAssertNotEqual(rt1.expose(), rt2.expose())
        XCTAssertFalse(first.description.contains(rt1.expose()))
        let tokenCount = try await OAuthMock.count("token")
        XCTAssertEqual(tokenCount, 3)

        let active = try await client.introspect(token: tok.secret())
        XCTAssertTrue(active.active)
        XCTAssertEqual(active.scopes, ["read", "write"])
        XCTAssertEqual(active.clientId, "mock-client")
        let claims = try JSONSerialization.jsonObject(with: Data(active.claimsJson.utf8)) as? [String: Any]
        XCTAssertEqual(claims?["client_id"] as? String, "mock-client")
        try await client.revoke(token: tok.secret(), tokenTypeHint: .accessToken)
        let after = try await client.introspect(token: tok.secret(), tokenTypeHint: .accessToken)
        XCTAssertFalse(after.active)
        let introspections = try await OAuthMock.count("introspect")
        XCTAssertEqual(introspections, 2)

        let direct = try OAuthClient(
            tokenUrl: issuer + "/token", clientId: "swift-client",
            options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret"), authMethod: .clientSecretPost, timeout: 3))
        XCTAssertEqual(direct.authMethod(), .clientSecretPost)
        let viaPost = try await direct.clientCredentials(scopes: ["read"])
        XCTAssertEqual(viaPost.accessToken().scopes(), ["read"])
    }

    func testThousandConcurrentCallersOneTokenRequest() async throws {
        try await OAuthMock.control("/__delay?ms=300")
        let src = try TokenSource.clientCredentials(client: try await client(), scopes: ["read"])
        XCTAssertEqual(src.status(), .empty)
        let fps = try await concurrentFingerprints(src, 1000)
        XCTAssertEqual(fps.count, 1)
        let n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 1)
        XCTAssertEqual(src.requestCount(), 1)
        XCTAssertEqual(src.status(), .ready)
        src.close()
    }

    func testSingleFlightAcrossAnExpiry() async throws {
        // Two-second tokens refreshed on demand only: once the first is no longer handed out
        // (lifetime minus a quarter), 1,000 concurrent callers cause exactly one new request.
        try await OAuthMock.control("/__ttl?seconds=2")
        let src = try TokenSource.clientCredentials(
            client: try await client(), scopes: ["read"], options: TokenSourceOptions(background: false))
        let first = try await src.token()
        let again = try await src.token()
        XCTAssertEqual(first.fingerprint(), again.fingerprint())
        // The library's tokio clock cannot be paused from Swift.
        try await Task.sleep(nanoseconds: 1_700_000_000)
        try await OAuthMock.control("/__delay?ms=300")
        let fps = try await concurrentFingerprints(src, 1000)
        XCTAssertEqual(fps.count, 1)
        XCTAssertNotEqual(fps.first, first.fingerprint())
        let n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 2)
        XCTAssertEqual(src.requestCount(), 2)
        src.close()
    }

    func testForceRefreshStatusAndStop() async throws {
        let src = try TokenSource.clientCredentials(client: try await client(), scopes: ["read"])
        _ = try await src.token()
        let t2 = try await src.forceRefresh()
        let t3 = try await src.token()
        XCTAssertEqual(t2.fingerprint(), t3.fingerprint())
        let n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 2)
        XCTAssertEqual(src.status(), .ready)
        XCTAssertFalse(src.description.contains(t2.expose()))
        src.close()
        XCTAssertEqual(src.status(), .closed)
        let code = await asyncErrorCode { _ = try await src.token() }
        XCTAssertEqual(code, "invalid_input")
    }

    func testRefreshTokenRotationListenerAndTerminalInvalidGrant() async throws {
        let hooks = ListenerCollector()
        let src = try TokenSource.fromRefreshToken(client: try await client(), refreshToken: try Secret(value: "rt-0"))
        // The two hooks of the other languages (extensions over addListener).
        src.onRefresh { hooks.onRefresh(tokens: $0) }
        src.onError { hooks.onError(code: $0, message: $1) }
        _ = try await src.token()
        let t2 = try await src.forceRefresh()
        var seen = hooks.snapshot
        XCTAssertEqual(seen.refreshTokens.count, 2)
        XCTAssertNotEqual(seen.refreshTokens[0], seen.refreshTokens[1])
        XCTAssertFalse(seen.refreshTokens.contains("rt-0"))
        for p in seen.printed {
            for rt in seen.refreshTokens { XCTAssertFalse(p.contains(rt)) }
        }

        try await OAuthMock.control("/__next_error?error=invalid_grant")
        let code = await asyncErrorCode { _ = try await src.forceRefresh() }
        XCTAssertEqual(code, "invalid_grant")
        XCTAssertEqual(src.status(), .reauthenticationRequired)
        XCTAssertEqual(src.lastErrorCode(), .invalidGrant)
        XCTAssertEqual(src.status().description, "reauthentication_required")
        seen = hooks.snapshot
        XCTAssertEqual(seen.codes, ["invalid_grant"])
        let before = try await OAuthMock.count("token")
        let again = await asyncErrorCode { _ = try await src.forceRefresh() }
        XCTAssertEqual(again, "invalid_grant")
        let after = try await OAuthMock.count("token")
        XCTAssertEqual(before, after)
        // The still-valid token keeps being served: exactly the last one refreshed.
        let still = try await src.token()
        XCTAssertEqual(still.fingerprint(), t2.fingerprint())
        XCTAssertGreaterThan(try XCTUnwrap(still.expiresAt()), Date())
        src.close()
    }

    func testAuthorizationCodeWithPkceAndTokenSourceFromResponse() async throws {
        let rfc = try Pkce.fromVerifier(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        XCTAssertEqual(rfc.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        XCTAssertEqual(rfc.method(), "S256")
        XCTAssertFalse(rfc.description.contains("dBjftJeZ"))
        XCTAssertEqual(errorCode { _ = try Pkce.fromVerifier(verifier: "short") }, "invalid_input")

        let client = try await client()
        let pkce = try Pkce.generate()
        let redirect = "http://127.0.0.1:9/callback"
        let url = try pkce.authorizationUrl(authorizeUrl: try XCTUnwrap(client.authorizationUrl()),
                                            clientId: "app", redirectUri: redirect, state: "st-1",
                                            scopes: ["openid"])
        XCTAssertTrue(url.contains("code_challenge=\(pkce.challenge())"))
        // Stand in for the browser: the mock signs the user in at once and redirects with a code.
        let (_, answer) = try await OAuthMock.send(URLRequest(url: URL(string: url)!))
        let location = try XCTUnwrap(answer.value(forHTTPHeaderField: "Location"))
        let items = URLComponents(string: location)?.queryItems ?? []
        // The state the app sent comes back with the code (CSRF protection of the redirect).
        XCTAssertEqual(items.first { $0.name == "state" }?.value, "st-1")
        let code = try XCTUnwrap(items.first { $0.name == "code" }?.value)
        let tokens = try await client.exchangeCode(code: try Secret(value: code), redirectUri: redirect, pkce: pkce)
        XCTAssertNotNil(tokens.refreshToken())

        let src = try TokenSource.fromTokenResponse(client: client, response: tokens)
        let seeded = try await src.token()
        XCTAssertEqual(seeded.fingerprint(), tokens.accessToken().fingerprint())
        var n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 1)
        _ = try await src.forceRefresh()
        n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 2)
        src.close()

        // A response without a refresh token needs an explicit fallback grant.
        let cc = try await client.clientCredentials(scopes: ["read"])
        XCTAssertEqual(errorCode { _ = try TokenSource.fromTokenResponse(client: client, response: cc) }, "invalid_input")
        let fb = try TokenSource.fromTokenResponse(client: client, response: cc, scopes: ["read"], fallback: .clientCredentials)
        let served = try await fb.token()
        XCTAssertEqual(served.fingerprint(), cc.accessToken().fingerprint())
        _ = try await fb.forceRefresh()
        n = try await OAuthMock.count("token")
        XCTAssertEqual(n, 4)
        fb.close()
    }

    func testAuditEventsAndPrintedFormsCarryNoSecrets() async throws {
        let audit = AuditCollector()
        let subscription = onAudit(listener: audit)
        var secrets = ["swift-secret", "rt-audit-0"]
        var printed: [String] = []
        do {
            defer { subscription.cancel() }
            let client = try await client()
            let src = try TokenSource.fromRefreshToken(client: client, refreshToken: try Secret(value: "rt-audit-0"))
            let t1 = try await src.token()
            let t2 = try await src.forceRefresh()
            let cc = try await client.clientCredentials(scopes: ["read"])
            let rotated = try await client.refresh(refreshToken: try Secret(value: "rt-audit-1"))
            let rotatedRt = try XCTUnwrap(rotated.refreshToken())
            try await client.revoke(token: rotatedRt, tokenTypeHint: .refreshToken)
            try await OAuthMock.control("/__next_error?error=invalid_grant")
            let code = await asyncErrorCode { _ = try await src.forceRefresh() }
            XCTAssertEqual(code, "invalid_grant")
            secrets += [t1.expose(), t2.expose(), cc.accessToken().expose(), rotated.accessToken().expose(),
                        rotatedRt.expose()]
            let options = OAuthClientOptions(clientSecret: try Secret(value: "swift-secret"))
            printed += [t1.description, "\(t2)", cc.description, rotated.description, src.description,
                        client.description, rotatedRt.description, cc.accessToken().secret().description,
                        "\(options)", String(reflecting: t1), String(reflecting: rotated)]
            src.close()
        }
        let events = audit.events
        let actions = Set(events.map { $0.action })
        XCTAssertTrue(actions.isSuperset(of: ["oauth.token", "oauth.refresh", "oauth.revoke"]), "\(actions)")
        XCTAssertTrue(events.contains { $0.action == "oauth.refresh" && $0.outcome == .failure && $0.code == .invalidGrant })
        let eventText = events.map { "\($0)" }.joined(separator: "\n")
        let text = ([eventText] + printed).joined(separator: "\n")
        for s in secrets {
            XCTAssertFalse(text.contains(s), "a secret was printed or audited")
        }
        XCTAssertEqual(redact(text: eventText), eventText)
    }

    func testErrorsAreCodes() async throws {
        let unreachable = try OAuthClient(
            tokenUrl: "http://127.0.0.1:9/token", clientId: "id",
            options: OAuthClientOptions(clientSecret: try Secret(value: "s"), timeout: 0.5))
        let net = await asyncErrorCode { _ = try await unreachable.clientCredentials() }
        XCTAssertTrue(["network", "timeout"].contains(net ?? ""), "\(String(describing: net))")
        let noEndpoint = await asyncErrorCode { _ = try await unreachable.introspect(token: try Secret(value: "t")) }
        XCTAssertEqual(noEndpoint, "invalid_input")
        XCTAssertEqual(errorCode {
            _ = try OAuthClient(tokenUrl: "https://as.example/token", clientId: "id")
        }, "invalid_input")
        XCTAssertEqual(errorCode {
            _ = try OAuthClient(tokenUrl: "https://as.example/token", clientId: "id",
                                options: OAuthClientOptions(clientSecret: try Secret(value: "s"), timeout: 0))
        }, "invalid_input")
        XCTAssertEqual(errorCode {
            _ = try OAuthClient(tokenUrl: "http://as.example/token", clientId: "id",
                                options: OAuthClientOptions(clientSecret: try Secret(value: "s")))
        }, "invalid_input")
        XCTAssertEqual(errorCode {
            _ = try TokenSource.clientCredentials(client: unreachable, options: TokenSourceOptions(jitter: 2))
        }, "invalid_input")
        XCTAssertEqual(AuthMethod.publicClient.description, "none")
        XCTAssertEqual(TokenTypeHint.refreshToken.asString(), "refresh_token")
        let c = try OAuthClient(tokenUrl: "https://as.example/token", clientId: "id",
                                options: OAuthClientOptions(clientSecret: try Secret(value: "s3cr3t-value")))
        XCTAssertFalse(c.description.contains("s3cr3t-value"))
        // A refused client is terminal for a source too.
        let client = try await client()
        try await OAuthMock.control("/__next_error?error=invalid_client&status=401")
        let src = try TokenSource.clientCredentials(client: client)
        let code = await asyncErrorCode { _ = try await src.token() }
        XCTAssertEqual(code, "invalid_client")
        XCTAssertEqual(src.status(), .reauthenticationRequired)
        src.close()
    }
}
