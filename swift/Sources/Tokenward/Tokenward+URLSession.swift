// The URLSession hook. Hand-written: not touched by gen-bindings.sh.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// Sends `request` with `tokenSource`'s token (`AccessToken.requestHeaders`:
    /// `Authorization: Bearer …`, or for a DPoP-bound token `Authorization: DPoP …` plus a `DPoP`
    /// proof) and retries at most once, as the core's rule (`retryAction`) says: a rejected token
    /// is refreshed, a DPoP nonce challenge answered with a new proof. A second refusal is
    /// returned as it is, never a loop.
    ///
    ///     let (data, response) = try await URLSession.shared.data(for: request, tokenSource: source)
    public func data(for request: URLRequest, tokenSource: TokenSource) async throws -> (Data, URLResponse) {
        let token = try await tokenSource.token()
        let (data, response) = try await tokenwardSend(try request.tokenwardAuthorized(token, nonce: nil))
        guard let http = response as? HTTPURLResponse else { return (data, response) }
        tokenwardRememberNonce(http, token: token, url: request.url)
        let retry: URLRequest
        let next: AccessToken
        switch retryAction(status: Int32(clamping: http.statusCode),
                           wwwAuthenticate: http.value(forHTTPHeaderField: "WWW-Authenticate"),
                           dpopNonce: http.value(forHTTPHeaderField: "DPoP-Nonce")) {
        case .noRetry:
            return (data, response)
        case .retryWithNonce(let nonce):
            next = token
            retry = try request.tokenwardAuthorized(token, nonce: nonce)
        case .refreshAndRetry:
            next = try await tokenSource.forceRefresh()
            retry = try request.tokenwardAuthorized(next, nonce: nil)
        }
        let (data2, response2) = try await tokenwardSend(retry)
        if let http2 = response2 as? HTTPURLResponse {
            tokenwardRememberNonce(http2, token: next, url: request.url)
        }
        return (data2, response2)
    }

    /// A `DPoP-Nonce` on any answer (a 200 too) goes into the next proof to that origin.
    private func tokenwardRememberNonce(_ http: HTTPURLResponse, token: AccessToken, url: URL?) {
        if let nonce = http.value(forHTTPHeaderField: "DPoP-Nonce"), let url {
            token.rememberDpopNonce(url: url.absoluteString, nonce: nonce)
        }
    }

    /// One data task (the completion-handler API exists on every platform's Foundation).
    private func tokenwardSend(_ request: URLRequest) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { cont in
            dataTask(with: request) { data, response, error in
                if let error {
                    cont.resume(throwing: error)
                } else if let response {
                    cont.resume(returning: (data ?? Data(), response))
                } else {
                    cont.resume(throwing: URLError(.badServerResponse))
                }
            }.resume()
        }
    }
}

extension URLRequest {
    /// This request with `token`'s `requestHeaders` (a `DPoP` header of an earlier token is
    /// removed when `token` is a bearer token).
    fileprivate func tokenwardAuthorized(_ token: AccessToken, nonce: String?) throws -> URLRequest {
        var authorized = self
        let headers = try token.requestHeaders(method: httpMethod ?? "GET",
                                               url: url?.absoluteString ?? "", nonce: nonce)
        if headers["DPoP"] == nil { authorized.setValue(nil, forHTTPHeaderField: "DPoP") }
        for (name, value) in headers { authorized.setValue(value, forHTTPHeaderField: name) }
        return authorized
    }
}
