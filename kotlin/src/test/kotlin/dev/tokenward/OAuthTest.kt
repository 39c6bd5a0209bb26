package dev.tokenward

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.net.URLDecoder
import java.time.Duration
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The OAuth 2.0 / OIDC mock server (tests/oauth/mock-server.mjs, the npm package
 * oauth2-mock-server). scripts/test-kotlin.sh starts it and passes TOKENWARD_OAUTH_ISSUER; a
 * plain `mvn test` starts one itself (node and `npm install` in node/ are required).
 */
internal object OAuthMock {
    val issuer: String by lazy {
        System.getenv("TOKENWARD_OAUTH_ISSUER")?.takeIf { it.isNotEmpty() } ?: spawn()
    }

    private fun spawn(): String {
        val repo = File(System.getProperty("user.dir")).absoluteFile.parentFile
        val process = ProcessBuilder("node", "tests/oauth/mock-server.mjs")
            .directory(repo)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        Runtime.getRuntime().addShutdownHook(Thread { process.destroy() })
        val line = process.inputStream.bufferedReader().readLine()
            ?: error("the OAuth mock server did not start (npm install in node/?)")
        return JSONObject(line).getString("issuer")
    }

    /** POSTs to a test-control endpoint (`/__reset`, `/__stats`, `/__delay?ms=`, …). */
    fun control(path: String): JSONObject {
        val conn = URI(issuer + path).toURL().openConnection() as HttpURLConnection
        conn.requestMethod = "POST"
        return conn.inputStream.use { JSONObject(it.readBytes().toString(Charsets.UTF_8)) }
    }

    /** Requests the server has counted on `endpoint` (`token`, `introspect`, `jwks`, …). */
    fun count(endpoint: String): Int = control("/__stats").optInt(endpoint, 0)
}

/** Collects audit events (the global audit callback interface). */
internal class AuditCollector : AuditListener {
    val events = CopyOnWriteArrayList<AuditEvent>()
    override fun onEvent(event: AuditEvent) {
        events.add(event)
    }
}

/** OAuthClient, TokenSource, AccessToken and Pkce against the real mock server. */
class OAuthTest {
    private val issuer get() = OAuthMock.issuer

    @BeforeEach
    fun reset() {
        OAuthMock.control("/__reset")
    }

    private suspend fun client(): OAuthClient =
        OAuthClient.discover(issuer, "kt-client", OAuthClientOptions(clientSecret = Secret("kt-secret")))

    private fun code(block: () -> Unit): String? =
        (runCatching(block).exceptionOrNull() as? TokenwardException.Failed)?.code?.asString()

    private suspend fun codeOf(block: suspend () -> Unit): String? =
        try {
            block()
            null
        } catch (e: TokenwardException.Failed) {
            e.code.asString()
        }

    @Test
    fun clientCredentialsRefreshRotationIntrospectionRevocation() = runBlocking {
        val client = client()
        assertEquals(issuer, client.issuer())
        assertEquals("$issuer/token", client.tokenUrl())
        assertEquals(AuthMethod.CLIENT_SECRET_BASIC, client.authMethod())
        assertEquals("client_secret_basic", client.authMethod().asString())
        assertNotNull(client.jwksUri())

        val r = client.clientCredentials(listOf("read", "write"))
        val tok = r.accessToken()
        assertEquals(listOf("read", "write"), tok.scopes())
        assertEquals("Bearer", tok.tokenType())
        assertEquals(Duration.ofSeconds(3600), r.expiresIn())
        val expiresAt = tok.expiresAt()!!
        assertTrue(expiresAt.isAfter(Instant.now().plusSeconds(3500)))
        assertEquals(2, tok.expose().count { it == '.' })
        assertFalse(tok.toString().contains(tok.expose()))
        assertTrue(tok.toString().contains(tok.fingerprint()))
        assertFalse(r.toString().contains(tok.expose()))

        val first = client.refresh(Secret("rt-initial"))
        val rt1 = first.refreshToken()!!
        val second = client.refresh(rt1)
        val rt2 = second.refreshToken()!!
        assertNotEquals(rt1.expose(), rt2.expose())
        assertFalse(first.toString().contains(rt1.expose()))
        assertEquals(3, OAuthMock.count("token"))

        val info = client.introspect(tok.secret())
        assertTrue(info.active)
        assertEquals(listOf("read", "write") to "mock-client", info.scopes to info.clientId)
        assertEquals("mock-client", JSONObject(info.claimsJson).getString("client_id"))
        client.revoke(tok.secret(), TokenTypeHint.ACCESS_TOKEN)
        val after = client.introspect(tok.secret(), TokenTypeHint.ACCESS_TOKEN)
        assertFalse(after.active)
        assertEquals(2, OAuthMock.count("introspect"))
        assertEquals(1, OAuthMock.count("revoke"))

        // The same server through the options record, client_secret_post.
        val direct = OAuthClient(
            "$issuer/token",
            "kt-client",
            OAuthClientOptions(
                clientSecret = Secret("kt-secret"),
                authMethod = AuthMethod.CLIENT_SECRET_POST,
                timeout = Duration.ofSeconds(3),
            ),
        )
        assertEquals(AuthMethod.CLIENT_SECRET_POST, direct.authMethod())
        assertEquals("client_secret_post", direct.authMethod().toString())
        assertEquals(listOf("read"), direct.clientCredentials(listOf("read")).accessToken().scopes())
    }

    @Test
    fun thousandConcurrentCallersOneTokenRequest() = runBlocking {
        OAuthMock.control("/__delay?ms=300")
        val src = TokenSource.clientCredentials(client(), listOf("read"))
        assertEquals(TokenSourceStatus.EMPTY, src.status())
        val fps = (1..1000).map { async(Dispatchers.Default) { src.token().fingerprint() } }.awaitAll().toSet()
        assertEquals(1, fps.size)
        assertEquals(1, OAuthMock.count("token"))
        assertEquals(1uL, src.requestCount())
        assertEquals(TokenSourceStatus.READY, src.status())
        src.close()
    }

    @Test
    fun singleFlightAcrossAnExpiry() = runBlocking {
        // Two-second tokens, refreshed on demand only: once the first is no longer handed out
        // (lifetime minus a quarter), 1,000 concurrent callers cause exactly one new request.
        OAuthMock.control("/__ttl?seconds=2")
        val src = TokenSource.clientCredentials(client(), listOf("read"), TokenSourceOptions(background = false))
        val first = src.token()
        assertEquals(1, OAuthMock.count("token"))
        assertEquals(first.fingerprint(), src.token().fingerprint())
        delay(1700) // the tokio clock of the library cannot be paused from the JVM
        OAuthMock.control("/__delay?ms=300")
        val fps = (1..1000).map { async(Dispatchers.Default) { src.token().fingerprint() } }.awaitAll().toSet()
        assertEquals(setOf(fps.first()), fps)
        assertNotEquals(first.fingerprint(), fps.first())
        assertEquals(2, OAuthMock.count("token"))
        assertEquals(2uL, src.requestCount())
        src.close()
    }

    @Test
    fun forceRefreshStatusAndStop() = runBlocking {
        val src = TokenSource.clientCredentials(client(), listOf("read"))
        src.token()
        // (The mock may mint the same JWT twice within one second: count requests, not values.)
        val t2 = src.forceRefresh()
        assertEquals(t2.fingerprint(), src.token().fingerprint())
        assertEquals(2, OAuthMock.count("token"))
        assertEquals(TokenSourceStatus.READY, src.status())
        assertFalse(src.toString().contains(t2.expose()))
        // AutoCloseable: `use {}` calls close(), which releases the object and so closes the
        // source (the Drop of bindings/src/oauth/source.rs); the object is unusable afterwards.
        src.use { assertEquals(TokenSourceStatus.READY, it.status()) }
        assertTrue(src.uniffiIsDestroyed)
        assertTrue(runCatching { src.status() }.exceptionOrNull() is IllegalStateException)
        assertEquals(2, OAuthMock.count("token"))
    }

    @Test
    fun refreshTokenRotationListenerAndTerminalInvalidGrant() = runBlocking {
        val refreshed = CopyOnWriteArrayList<String>()
        val printed = CopyOnWriteArrayList<String>()
        val errors = CopyOnWriteArrayList<String>()
        val src = TokenSource.fromRefreshToken(client(), Secret("rt-0"))
        src.onRefresh { tokens ->
            refreshed.add(tokens.refreshToken()!!.expose())
            printed.add(tokens.toString())
        }
        src.onError { code, _ -> errors.add(code.asString()) }
        src.token()
        val t2 = src.forceRefresh()
        assertEquals(2, refreshed.size)
        assertNotEquals(refreshed[0], refreshed[1])
        assertFalse(refreshed.contains("rt-0"))
        assertTrue(printed.none { p -> refreshed.any { p.contains(it) } })

        OAuthMock.control("/__next_error?error=invalid_grant")
        assertEquals("invalid_grant", codeOf { src.forceRefresh() })
        assertEquals(TokenSourceStatus.REAUTHENTICATION_REQUIRED, src.status())
        assertEquals(ErrorCode.INVALID_GRANT, src.lastErrorCode())
        assertEquals("reauthentication_required", src.status().asString())
        assertEquals(listOf("invalid_grant"), errors.toList())
        val before = OAuthMock.count("token")
        assertEquals("invalid_grant", codeOf { src.forceRefresh() })
        assertEquals(before, OAuthMock.count("token"))
        // The still-valid token keeps being served: exactly the last one refreshed.
        val still = src.token()
        assertEquals(t2.fingerprint(), still.fingerprint())
        assertTrue(still.expiresAt()!!.isAfter(java.time.Instant.now()))
        src.close()
    }

    @Test
    fun authorizationCodeWithPkceAndTokenSourceFromResponse() = runBlocking {
        val rfc = Pkce.fromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", rfc.challenge())
        assertEquals("S256", rfc.method())
        assertFalse(rfc.toString().contains("dBjftJeZ"))
        assertEquals("invalid_input", code { Pkce.fromVerifier("short") })

        val client = client()
        val pkce = Pkce.generate()
        val redirect = "http://127.0.0.1:9/callback"
        val url = pkce.authorizationUrl(client.authorizationUrl()!!, "app", redirect, "st-1", listOf("openid"))
        assertTrue(url.contains("code_challenge=${pkce.challenge()}"))
        // Stand in for the browser: the mock signs the user in at once and redirects with a code.
        val conn = URI(url).toURL().openConnection() as HttpURLConnection
        conn.instanceFollowRedirects = false
        val location = conn.getHeaderField("Location")!!
        val query = URI(location).rawQuery.split("&").map { it.split("=", limit = 2) }
            .associate { it[0] to URLDecoder.decode(it[1], "UTF-8") }
        // The state the app sent comes back with the code (CSRF protection of the redirect).
        assertEquals("st-1", query["state"])
        val authCode = query.getValue("code")
        val tokens = client.exchangeCode(Secret(authCode), redirect, pkce)
        assertNotNull(tokens.refreshToken())

        val src = TokenSource.fromTokenResponse(client, tokens)
        assertEquals(tokens.accessToken().fingerprint(), src.token().fingerprint())
        assertEquals(1, OAuthMock.count("token"))
        val refreshed = src.forceRefresh()
        assertEquals(refreshed.fingerprint(), src.token().fingerprint())
        assertEquals(2, OAuthMock.count("token"))
        src.close()

        // A response without a refresh token needs an explicit fallback grant.
        val cc = client.clientCredentials(listOf("read"))
        assertEquals("invalid_input", code { TokenSource.fromTokenResponse(client, cc) })
        val fb = TokenSource.fromTokenResponse(client, cc, listOf("read"), FallbackGrant.CLIENT_CREDENTIALS)
        assertEquals(cc.accessToken().fingerprint(), fb.token().fingerprint())
        fb.forceRefresh() // the third request was clientCredentials above
        assertEquals(4, OAuthMock.count("token"))
        fb.close()
    }

    @Test
    fun auditEventsAndPrintedFormsCarryNoSecrets() = runBlocking {
        val audit = AuditCollector()
        val subscription = onAudit(audit)
        val secrets = mutableListOf("kt-secret", "rt-audit-0")
        val printed = mutableListOf<String>()
        try {
            val client = client()
            val src = TokenSource.fromRefreshToken(client, Secret("rt-audit-0"), options = TokenSourceOptions())
            val t1 = src.token()
            val t2 = src.forceRefresh()
            val cc = client.clientCredentials(listOf("read"))
            val rotated = client.refresh(Secret("rt-audit-1"))
            client.revoke(rotated.refreshToken()!!, TokenTypeHint.REFRESH_TOKEN)
            OAuthMock.control("/__next_error?error=invalid_grant")
            assertEquals("invalid_grant", codeOf { src.forceRefresh() })
            secrets += listOf(t1.expose(), t2.expose(), cc.accessToken().expose(), rotated.accessToken().expose())
            secrets += rotated.refreshToken()!!.expose()
            printed += listOf(
                t1.toString(), t2.toString(), cc.toString(), rotated.toString(), src.toString(),
                client.toString(), rotated.refreshToken().toString(), cc.accessToken().secret().toString(),
                OAuthClientOptions(clientSecret = Secret("kt-secret")).toString(),
            )
            src.close()
        } finally {
            subscription.cancel()
        }
        val events = audit.events.toList()
        val actions = events.map { it.action }.toSet()
        assertTrue(actions.containsAll(listOf("oauth.token", "oauth.refresh", "oauth.revoke")), actions.toString())
        assertTrue(events.any { it.action == "oauth.refresh" && it.outcome == AuditOutcome.FAILURE && it.code == ErrorCode.INVALID_GRANT })
        val text = (events.map { it.toString() } + printed).joinToString("\n")
        for (s in secrets) assertFalse(text.contains(s), "a secret was printed or audited")
        assertEquals(events.joinToString("\n"), redact(events.joinToString("\n")))
    }

    @Test
    fun errorsAreCodes() = runBlocking {
        val unreachable = OAuthClient(
            "http://127.0.0.1:9/token",
            "id",
            OAuthClientOptions(clientSecret = Secret("s"), timeout = Duration.ofMillis(500)),
        )
        assertTrue(codeOf { unreachable.clientCredentials() } in setOf("network", "timeout"))
        assertEquals("invalid_input", codeOf { unreachable.introspect(Secret("t")) })
        assertEquals("invalid_input", code { OAuthClient("https://as.example/token", "id") })
        assertEquals(
            "invalid_input",
            code { OAuthClient("https://as.example/token", "id", OAuthClientOptions(Secret("s"), timeout = Duration.ZERO)) },
        )
        assertEquals("invalid_input", code { OAuthClient("http://as.example/token", "id", OAuthClientOptions(Secret("s"))) })
        assertEquals("none", AuthMethod.PUBLIC_CLIENT.asString())
        assertEquals("refresh_token", TokenTypeHint.REFRESH_TOKEN.toString())
        assertEquals(
            "invalid_input",
            code { TokenSource.clientCredentials(unreachable, options = TokenSourceOptions(jitter = 2.0)) },
        )
        assertEquals(
            "invalid_input",
            code { TokenSource.clientCredentials(unreachable, options = TokenSourceOptions(backoffMax = Duration.ofDays(400))) },
        )
        val c = OAuthClient("https://as.example/token", "id", OAuthClientOptions(Secret("s3cr3t-value")))
        assertFalse(c.toString().contains("s3cr3t-value"))
        // A refused client is terminal for a source too.
        val client = client()
        OAuthMock.control("/__next_error?error=invalid_client&status=401")
        val src = TokenSource.clientCredentials(client)
        assertEquals("invalid_client", codeOf { src.token() })
        assertEquals(TokenSourceStatus.REAUTHENTICATION_REQUIRED, src.status())
        src.close()
    }
}
