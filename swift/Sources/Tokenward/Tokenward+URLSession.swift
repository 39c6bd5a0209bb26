// The URLSession hook. Hand-written: not touched by gen-bindings.sh.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// Sends `request` with `tokenSource`'s token in `Authorization` and, when the server rejects
    /// the token, refreshes once and sends it once more (a second rejection is returned as it is,
    /// never a loop). Whether an answer is a rejection is the core's rule (`tokenRejected`); the
    /// header is `AccessToken.authorizationHeader()`.
    ///
    ///     let (data, response) = try await URLSession.shared.data(for: request, tokenSource: source)
    public func data(for request: URLRequest, tokenSource: TokenSource) async throws -> (Data, URLResponse) {
        var authorized = request
        authorized.setValue(try await tokenSource.token().authorizationHeader(),
                            forHTTPHeaderField: "Authorization")
        let (data, response) = try await tokenwardSend(authorized)
        guard let http = response as? HTTPURLResponse,
              tokenRejected(status: Int32(clamping: http.statusCode),
                            wwwAuthenticate: http.value(forHTTPHeaderField: "WWW-Authenticate"))
        else {
            return (data, response)
        }
        authorized.setValue(try await tokenSource.forceRefresh().authorizationHeader(),
                            forHTTPHeaderField: "Authorization")
        return try await tokenwardSend(authorized)
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
