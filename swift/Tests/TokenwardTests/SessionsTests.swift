import Foundation
import XCTest
import Tokenward

/// Sessions: the shared vectors tests/vectors/sessions.json, the session cookie as an
/// Authenticator credential, and the id never in a description or an error.
final class SessionsTests: XCTestCase {
    private func vectors() throws -> [String: Any] {
        let data = try Data(contentsOf: TestVectors.url("sessions.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func code(_ body: () throws -> Void) -> String { errorCode(body) ?? "ok" }

    private func make(_ v: [String: Any], _ clock: ManualClock, cookie: SessionCookie? = nil) throws -> Sessions {
        let o = v["options"] as! [String: Any]
        return try Sessions(options: SessionsOptions(
            idleTimeout: TimeInterval(o["idle_timeout"] as! Int),
            absoluteTimeout: TimeInterval(o["absolute_timeout"] as! Int),
            csrfSecret: try Secret(value: v["csrf_secret"] as! String),
            cookie: cookie,
            clock: clock))
    }

    private func clock(_ v: [String: Any]) -> ManualClock {
        ManualClock(now: Date(timeIntervalSince1970: TimeInterval(v["start"] as! Int)))
    }

    private func sameSite(_ s: String) -> SameSite? {
        switch s {
        case "lax": return SameSite.lax
        case "strict": return SameSite.strict
        case "none": return SameSite.none
        default: return nil
        }
    }

    func testIdsCsrfAndCookieVectors() throws {
        let v = try vectors()
        let s = try make(v, clock(v))
        let ids = v["ids"] as! [[String: Any]]
        for c in ids {
            XCTAssertEqual(code { _ = try s.verify(id: c["id"] as! String) }, c["error"] as? String, c["name"] as! String)
        }
        for c in v["csrf"] as! [[String: Any]] {
            let id = c["session_id"] as! String
            XCTAssertEqual(try s.csrfToken(id: id), c["token"] as? String, c["name"] as! String)
            try s.verifyCsrf(id: id, token: c["token"] as! String)
        }
        for c in v["csrf_refusals"] as! [[String: Any]] {
            let got = code { try s.verifyCsrf(id: c["session_id"] as! String, token: c["token"] as! String) }
            XCTAssertEqual(got, c["error"] as? String, c["name"] as! String)
        }
        let firstId = ids[0]["id"] as! String
        var built = 0
        for c in v["cookies"] as! [[String: Any]] {
            let o = c["cookie"] as! [String: Any]
            let name = c["name"] as! String
            var site: SameSite? = nil
            if let ss = o["same_site"] as? String {
                guard let parsed = sameSite(ss) else {
                    // An unknown SameSite cannot be written in Swift: the enum has three cases.
                    XCTAssertEqual(c["error"] as? String, "invalid_input", name)
                    continue
                }
                site = parsed
            }
            let cookie = SessionCookie(
                name: o["name"] as? String ?? "__Host-tw_session",
                secure: o["secure"] as? Bool ?? true,
                httpOnly: o["http_only"] as? Bool ?? true,
                sameSite: site,
                path: o["path"] as? String ?? "/",
                domain: o["domain"] as? String,
                dangerousAllowInsecure: o["dangerous_allow_insecure"] as? Bool ?? false)
            var made: Sessions?
            let got = code { made = try make(v, clock(v), cookie: cookie) }
            if let e = c["error"] as? String {
                XCTAssertEqual(got, e, name)
            } else {
                XCTAssertEqual(got, "ok", name)
                XCTAssertEqual(try made!.setCookie(id: firstId), c["set_cookie"] as? String, name)
                XCTAssertEqual(made!.clearCookie(), c["clear_cookie"] as? String, name)
                built += 1
            }
        }
        XCTAssertGreaterThanOrEqual(built, 5)
    }

    func testScenarioVectors() throws {
        let v = try vectors()
        for sc in v["scenarios"] as! [[String: Any]] {
            let clk = clock(v)
            let s = try make(v, clk)
            var saved: [String: IssuedSession] = [:]
            for (i, step) in (sc["steps"] as! [[String: Any]]).enumerated() {
                let at = "\(sc["name"] as! String) step \(i)"
                let want = step["error"] as? String ?? "ok"
                let id = (step["session"] as? String).map { saved[$0]!.id.expose() } ?? ""
                let data = step["data"] as? [String: String]
                var out: IssuedSession?
                switch step["op"] as! String {
                case "advance": clk.advance(by: TimeInterval(step["seconds"] as! Int))
                case "revoke": XCTAssertEqual(try s.revoke(id: id), step["result"] as? Bool, at)
                case "revoke_subject":
                    XCTAssertEqual(try s.revokeSubject(subject: step["subject"] as! String), UInt64(step["count"] as! Int), at)
                case "create":
                    XCTAssertEqual(code { out = try s.create(subject: step["subject"] as! String, data: data) }, want, at)
                case "rotate":
                    XCTAssertEqual(code { out = try s.rotate(id: id, subject: step["subject"] as? String, data: data) }, want, at)
                case "verify":
                    var rec: SessionRecord?
                    XCTAssertEqual(code { rec = try s.verify(id: id) }, want, at)
                    if let sub = step["subject"] as? String { XCTAssertEqual(rec?.subject, sub, at) }
                    if let d = data { XCTAssertEqual(rec?.data, d, at) }
                case "csrf":
                    let token = try s.csrfToken(id: saved[step["token_of"] as! String]!.id.expose())
                    XCTAssertEqual(code { try s.verifyCsrf(id: id, token: token) }, want, at)
                default: XCTFail("unknown op \(step["op"] as! String)")
                }
                if let o = out, let key = step["save"] as? String { saved[key] = o }
            }
        }
    }

    func testTheAuthenticatorAcceptsASessionCookie() throws {
        let clock = ManualClock(now: Date(timeIntervalSince1970: 1_700_000_000))
        let sessions = try Sessions(options: SessionsOptions(clock: clock))
        let auth = try Authenticator(options: AuthenticatorOptions(clock: clock, sessions: sessions))
        let issued = try sessions.create(subject: "alice", data: ["scope": "read"])
        let cookie = HttpHeader(name: "Cookie", value: "\(sessions.cookieName())=\(issued.id.expose())")
        guard case let .allowed(p) = try auth.authenticate(request: AuthRequest(headers: [cookie])) else {
            return XCTFail("refused")
        }
        XCTAssertEqual(p.kind, .session)
        XCTAssertEqual(p.subject, "alice")
        XCTAssertEqual(p.scopes, ["read"])
        guard case let .refused(r) = try auth.authenticate(request: AuthRequest(method: "POST", headers: [cookie])) else {
            return XCTFail("allowed")
        }
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.code, .invalidCsrfToken)
        let csrf = HttpHeader(name: "X-CSRF-Token", value: try sessions.csrfToken(id: issued.id.expose()))
        guard case .allowed = try auth.authenticate(request: AuthRequest(method: "POST", headers: [cookie, csrf])) else {
            return XCTFail("refused with the CSRF token")
        }
        for text in [String(describing: issued), String(describing: issued.id), String(describing: sessions)] {
            XCTAssertFalse(text.contains(String(issued.id.expose().dropFirst(4))), text)
        }
    }
}
