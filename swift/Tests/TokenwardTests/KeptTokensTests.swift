import Foundation
import XCTest
@testable import Tokenward

/// Kept tokens: the shared vectors tests/vectors/stored_tokens.json, and a Swift `TokenStore`
/// (the uniffi foreign trait) against the real OAuth mock server: every rotation saved with the
/// new refresh token, a restore with a fresh token makes no request, a restore with an expired
/// token refreshes, `invalid_grant` clears the store, a throwing store reaches the listener as
/// `storage`, no secret in any printed form.
final class KeptTokensTests: XCTestCase {
    override func setUp() async throws {
        try await OAuthMock.control("/__reset")
    }

    func testStoredTokensVectors() throws {
        let data = try Data(contentsOf: TestVectors.url("stored_tokens.json"))
        let v = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for c in v["valid"] as! [[String: Any]] {
            let name = c["name"] as! String
            let e = c["expect"] as! [String: Any]
            let t = try StoredTokens.fromJson(json: c["json"] as! String)
            XCTAssertEqual(t.accessToken().expose(), e["access_token"] as? String, name)
            XCTAssertEqual(t.tokenType(), e["token_type"] as? String, name)
            XCTAssertEqual(t.expiresAt(), (e["expires_at"] as! NSNumber).uint64Value, name)
            XCTAssertEqual(t.refreshToken()?.expose(), e["refresh_token"] as? String, name)
            XCTAssertEqual(t.idToken()?.expose(), e["id_token"] as? String, name)
            XCTAssertEqual(t.scopes(), e["scopes"] as! [String], name)
            XCTAssertEqual(try StoredTokens.fromJson(json: t.toJson()).toJson(), t.toJson(), name)
            XCTAssertFalse("\(t)".contains(e["access_token"] as! String), name)
        }
        for c in v["invalid"] as! [[String: Any]] {
            var input = c["json"] as? String ?? ""
            if let r = c["input_repeat"] as? [String: Any] {
                input = (r["prefix"] as! String)
                    + String(repeating: r["fill"] as! String, count: (r["count"] as! NSNumber).intValue)
                    + (r["suffix"] as! String)
            }
            XCTAssertEqual(errorCode { _ = try StoredTokens.fromJson(json: input) }, c["code"] as? String,
                           c["name"] as? String ?? "")
        }
    }

    struct DiskFull: Error {}

    /// A store keeping the JSON form, as an application's would.
    final class Kept: TokenStore, @unchecked Sendable {
        private let lock = NSLock()
        private var _json: String?
        private var _log: [String] = []
        private var _fail = false
        var json: String? {
            get { lock.lock(); defer { lock.unlock() }; return _json }
            set { lock.lock(); defer { lock.unlock() }; _json = newValue }
        }
        var log: [String] { lock.lock(); defer { lock.unlock() }; return _log }
        var fail: Bool {
            get { lock.lock(); defer { lock.unlock() }; return _fail }
            set { lock.lock(); defer { lock.unlock() }; _fail = newValue }
        }
        private func note(_ s: String) { lock.lock(); defer { lock.unlock() }; _log.append(s) }

        func save(tokens: StoredTokens) throws {
            note("save")
            if fail { throw DiskFull() }
            json = tokens.toJson()
        }
        func load() throws -> StoredTokens? {
            note("load")
            return try json.map { try StoredTokens.fromJson(json: $0) }
        }
        func clear() throws {
            note("clear")
            json = nil
        }
        func tokens() throws -> StoredTokens { try StoredTokens.fromJson(json: json!) }
    }

    func testKeptTokensAgainstTheRealServer() async throws {
        let client = try await OAuthClient.discover(
            issuerUrl: try OAuthMock.issuer(), clientId: "swift-client",
            options: OAuthClientOptions(clientSecret: try Secret(value: "swift-secret")))
        let options = TokenSourceOptions(background: false)
        let store = Kept()

        // Every rotation is saved with the new refresh token.
        let src = try TokenSource.fromRefreshToken(
            client: client, refreshToken: try Secret(value: "initial-refresh"), options: options)
        try src.keepTokens(store: store)
        let at = try await src.token()
        let first = try store.tokens()
        XCTAssertEqual(first.accessToken().expose(), at.expose())
        XCTAssertNotEqual(first.refreshToken()!.expose(), "initial-refresh")
        _ = try await src.forceRefresh()
        let second = try store.tokens()
        XCTAssertNotEqual(second.refreshToken()!.expose(), first.refreshToken()!.expose())
        XCTAssertEqual(store.log, ["save", "save"])
        src.close()

        // A fresh kept token: restore makes no request.
        try await OAuthMock.control("/__reset")
        let restored = try TokenSource.restore(client: client, store: store, options: options)
        let served = try await restored.token()
        XCTAssertEqual(served.expose(), second.accessToken().expose())
        let afterRestore = try await OAuthMock.count("token")
        XCTAssertEqual(afterRestore, 0)
        restored.close()

        // An expired kept token: the first token() refreshes with the kept refresh token.
        let past = UInt64(Date().timeIntervalSince1970) - 60
        store.json = try StoredTokens(accessToken: second.accessToken(), tokenType: "Bearer",
                                      expiresAt: past, refreshToken: second.refreshToken()).toJson()
        let again = try TokenSource.restore(client: client, store: store, options: options)
        let beforeToken = try await OAuthMock.count("token")
        XCTAssertEqual(beforeToken, 0)
        let fresh = try await again.token()
        XCTAssertNotEqual(fresh.expose(), second.accessToken().expose())
        let afterToken = try await OAuthMock.count("token")
        XCTAssertEqual(afterToken, 1)
        XCTAssertEqual(try store.tokens().accessToken().expose(), fresh.expose())

        // A throwing save reaches the listener as `storage`; token() still works.
        let listener = ListenerCollector()
        again.addListener(listener: listener)
        store.fail = true
        _ = try await again.forceRefresh()
        XCTAssertEqual(listener.snapshot.codes, ["storage"])
        store.fail = false

        // invalid_grant clears the store; nothing is left to restore.
        try await OAuthMock.control("/__next_error?error=invalid_grant")
        let refused = await asyncErrorCode { _ = try await again.forceRefresh() }
        XCTAssertEqual(refused, "invalid_grant")
        XCTAssertEqual(store.log.last, "clear")
        XCTAssertNil(store.json)
        XCTAssertEqual(errorCode { _ = try TokenSource.restore(client: client, store: store, options: options) },
                       "invalid_input")
        let printed = "\(second) \(again)"
        XCTAssertFalse(printed.contains(second.accessToken().expose()) || printed.contains(fresh.expose()), printed)
    }
}
