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
 * Puts [source]'s token on every request (as an application [Interceptor]) and, when the server
 * rejects it, refreshes once and retries once (as the client's [okhttp3.Authenticator]; a second
 * rejection is returned as it is, never a loop). Whether a 401 is a rejection is the core's rule
 * ([tokenRejected]); the header is [AccessToken.authorizationHeader]. OkHttp calls both on its
 * own threads, so the token is awaited with a blocking call there.
 *
 * ```
 * val client = OkHttpClient.Builder().tokenSource(source).build()
 * ```
 */
class TokenSourceInterceptor(private val source: TokenSource) : Interceptor, okhttp3.Authenticator {
    override fun intercept(chain: Interceptor.Chain): Response {
        val token = runBlocking { source.token() }
        return chain.proceed(chain.request().withToken(token))
    }

    override fun authenticate(route: Route?, response: Response): Request? {
        if (response.priorResponse != null) return null
        val challenge = response.headers("WWW-Authenticate").joinToString(", ").ifEmpty { null }
        if (!tokenRejected(response.code, challenge)) return null
        val token = runBlocking { source.forceRefresh() }
        return response.request.withToken(token)
    }

    override fun toString(): String = "TokenSourceInterceptor($source)"

    private fun Request.withToken(token: AccessToken): Request =
        newBuilder().header("Authorization", token.authorizationHeader()).build()
}

/** Authorizes every request of the client with [source] ([TokenSourceInterceptor]). */
fun OkHttpClient.Builder.tokenSource(source: TokenSource): OkHttpClient.Builder {
    val hook = TokenSourceInterceptor(source)
    return addInterceptor(hook).authenticator(hook)
}
