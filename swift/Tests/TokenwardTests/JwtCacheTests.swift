import Foundation
import XCTest
import Tokenward

/// The verified-token cache (`JwtVerifierOptions.cacheSize`): expiry, rotation, revocation, bound.
final class JwtCacheTests: XCTestCase {
    private let now: Int64 = 1_900_000_000

    private func key(_ alg: Algorithm) throws -> JwtKey {
        alg == .hs256
            ? try JwtKey.hmac(secret: Data("cache-swift-secret-0123456789abcdef".utf8), algorithm: alg)
            : try JwtKey.generate(algorithm: alg)
    }

    func testACachedTokenIsRefusedAfterExpWithTheSameLeeway() throws {
        for alg in [Algorithm.es256, .edDsa, .rs256, .hs256] {
            let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
            let k = try key(alg)
            let token = try JwtIssuer(key: k, options: JwtIssuerOptions(ttl: 60, clock: clock))
                .issue(claimsJson: #"{"n":1}"#, options: JwtIssueOptions(subject: "u1"))
            let cached = try JwtVerifier.withKey(key: k, options: JwtVerifierOptions(
                algorithms: [alg], leeway: 5, clock: clock, cacheSize: 8))
            let uncached = try JwtVerifier.withKey(key: k, options: JwtVerifierOptions(
                algorithms: [alg], leeway: 5, clock: clock))
            XCTAssertEqual(try cached.verify(token: token), try uncached.verify(token: token))
            XCTAssertEqual(try cached.verifyClaims(token: token).subject, "u1")
            XCTAssertEqual(cached.cacheLen(), 1)
            XCTAssertEqual(uncached.cacheLen(), 0)
            clock.advance(by: 64)
            XCTAssertEqual(try cached.verifyClaims(token: token).subject, "u1")
            clock.advance(by: 1)
            XCTAssertEqual(errorCode { _ = try cached.verify(token: token) }, "expired", "\(alg)")
            XCTAssertEqual(errorCode { _ = try uncached.verify(token: token) }, "expired")
            XCTAssertEqual(cached.cacheLen(), 0)
        }
    }

    func testFailuresAreNeverCachedAndTheBoundHolds() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let k = try key(.es256)
        let issuer = try JwtIssuer(key: k, options: JwtIssuerOptions(clock: clock))
        let verifier = try JwtVerifier.withKey(key: k, options: JwtVerifierOptions(
            algorithms: [.es256], clock: clock, cacheSize: 5))
        let token = try issuer.issue(claimsJson: nil, options: JwtIssueOptions())
        let tenth = token[token.index(token.endIndex, offsetBy: -10)]
        let tampered = String(token.dropLast(10)) + (tenth == "A" ? "B" : "A") + String(token.suffix(9))
        for _ in 0..<2 {
            XCTAssertEqual(errorCode { _ = try verifier.verify(token: tampered) }, "invalid_signature")
        }
        XCTAssertEqual(verifier.cacheLen(), 0)
        for i in 0..<50 {
            let t = try issuer.issue(claimsJson: #"{"n":\#(i)}"#, options: JwtIssueOptions())
            XCTAssertTrue(try verifier.verify(token: t).contains(#""n":\#(i)"#))
            XCTAssertTrue(try verifier.verify(token: t).contains(#""n":\#(i)"#))
            XCTAssertLessThanOrEqual(verifier.cacheLen(), 5)
        }
        XCTAssertEqual(verifier.cacheLen(), 5)
    }

    func testAJwksRotationDropsTheCachedTokens() async throws {
        let a = try JwtKey.generate(algorithm: .es256).withKid(kid: "a")
        let b = try JwtKey.generate(algorithm: .es256).withKid(kid: "b")
        func publish(_ key: JwtKey) async throws {
            let set = KeySet()
            try set.insert(key: key)
            let doc = try set.toJwksJson().addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try await OAuthMock.control("/__jwks_doc?doc=" + doc)
        }
        try await publish(a)
        let remote = try RemoteKeySet(jwksUrl: try OAuthMock.issuer() + "/__jwks_doc",
                                      options: RemoteKeySetOptions(cooldown: 0))
        let verifier = try RemoteJwtVerifier(keys: remote, options: JwtVerifierOptions(algorithms: [.es256], cacheSize: 8))
        let tokenA = try JwtIssuer(key: a, options: JwtIssuerOptions()).issue(claimsJson: nil, options: JwtIssueOptions())
        _ = try await verifier.verify(token: tokenA)
        _ = try await verifier.verify(token: tokenA)
        // The set rotates to b: b's token refetches it, and a's cached token is refused after.
        try await publish(b)
        let tokenB = try JwtIssuer(key: b, options: JwtIssuerOptions()).issue(claimsJson: nil, options: JwtIssueOptions())
        _ = try await verifier.verify(token: tokenB)
        XCTAssertEqual(remote.fetchCount(), 2)
        let code = await asyncErrorCode { _ = try await verifier.verify(token: tokenA) }
        XCTAssertEqual(code, "key_not_found")
    }

    func testRevocationAndScopesStillRunForACachedTokenAtTheAuthenticator() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: TimeInterval(now)))
        let k = try key(.edDsa)
        let token = try JwtIssuer(key: k, options: JwtIssuerOptions(clock: clock))
            .issue(claimsJson: #"{"jti":"tok-1","scope":"read"}"#, options: JwtIssueOptions(subject: "alice"))
        let verifier = try JwtVerifier.withKey(key: k, options: JwtVerifierOptions(
            algorithms: [.edDsa], clock: clock, cacheSize: 16))
        let revocations = try RevocationList(options: RevocationListOptions(clock: clock))
        let auth = try Authenticator(options: AuthenticatorOptions(jwt: verifier, revocations: revocations, clock: clock))
        func request(_ scopes: [String]) throws -> AuthDecision {
            try auth.authenticate(request: AuthRequest(
                headers: [HttpHeader(name: "authorization", value: "Bearer \(token)")], requiredScopes: scopes))
        }
        func refusal(_ d: AuthDecision) -> Refusal? {
            if case let .refused(r) = d { return r }
            return nil
        }
        XCTAssertNil(refusal(try request(["read"])))
        XCTAssertEqual(verifier.cacheLen(), 1)
        XCTAssertEqual(refusal(try request(["write"]))?.code, .insufficientScope)
        try revocations.revoke(kind: .jti, id: "tok-1", until: Date(timeIntervalSince1970: TimeInterval(now + 600)))
        let revoked = try XCTUnwrap(refusal(try request(["read"])))
        XCTAssertEqual(revoked.code, .revoked)
        XCTAssertEqual(revoked.status, 401)
        XCTAssertEqual(verifier.cacheLen(), 1)
        XCTAssertTrue(revocations.unrevoke(kind: .jti, id: "tok-1"))
        XCTAssertNil(refusal(try request(["read"])))
        clock.advance(by: 3600)
        XCTAssertEqual(refusal(try request([]))?.code, .expired)
    }
}
