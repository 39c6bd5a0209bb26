// The OkHttp hook. Hand-written: not touched by gen-bindings.sh. OkHttp is an optional
// dependency of the artifact: this file is only loaded by applications that use it.

package dev.tokenward

import kotlinx.coroutines.runBlocking
import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.Response
import okhttp3.Route

/**
 * Puts [source]'s token on every request (as an application [Interceptor]) and retries at most
 * once (as the client's [okhttp3.Authenticator]; a second refusal is returned as it is, never a
 * loop): what to do with a 401 is the core's rule ([retryAction]) — a rejected token is
 * refreshed, a DPoP nonce challenge answered with a new proof. The headers are
 * [AccessToken.requestHeaders]: `Authorization: Bearer …`, or for a DPoP-bound token
 * `Authorization: DPoP …` plus a `DPoP` proof. OkHttp calls both on its own threads, so the
 * token is awaited with a blocking call there.
 *
 * ```
 * val client = OkHttpClient.Builder().tokenSource(source).build()
 * ```
 */
class TokenSourceInterceptor(private val source: TokenSource) : Interceptor, okhttp3.Authenticator {
    override fun intercept(chain: Interceptor.Chain): Response {
        val token = runBlocking { source.token() }
        val response = chain.proceed(chain.request().withToken(token, null))
        rememberNonce(response)
        return response
    }

    /** A `DPoP-Nonce` on any answer (a 200 too) goes into the next proof to that origin. */
    private fun rememberNonce(response: Response) {
        val nonce = response.header("DPoP-Nonce") ?: return
        val token = response.request.tag(AccessToken::class.java) ?: return
        token.rememberDpopNonce(response.request.url.toString(), nonce)
    }

    override fun authenticate(route: Route?, response: Response): Request? {
        if (response.priorResponse != null) return null
        val challenge = response.headers("WWW-Authenticate").joinToString(", ").ifEmpty { null }
        return when (val action = retryAction(response.code, challenge, response.header("DPoP-Nonce"))) {
            is RetryAction.NoRetry -> null
            is RetryAction.RetryWithNonce -> {
                // The token the request was sent with (the interceptor tagged it).
                val token = response.request.tag(AccessToken::class.java) ?: return null
                response.request.withToken(token, action.nonce)
            }
            is RetryAction.RefreshAndRetry ->
                response.request.withToken(runBlocking { source.forceRefresh() }, null)
        }
    }

    override fun toString(): String = "TokenSourceInterceptor($source)"

    private fun Request.withToken(token: AccessToken, nonce: String?): Request {
        val headers = token.requestHeaders(method, url.toString(), nonce)
        val builder = newBuilder().tag(AccessToken::class.java, token)
        if (!headers.containsKey("DPoP")) builder.removeHeader("DPoP")
        headers.forEach { (name, value) -> builder.header(name, value) }
        return builder.build()
    }
}

/** Authorizes every request of the client with [source] ([TokenSourceInterceptor]). */
fun OkHttpClient.Builder.tokenSource(source: TokenSource): OkHttpClient.Builder {
    val hook = TokenSourceInterceptor(source)
    return addInterceptor(hook).authenticator(hook)
}
