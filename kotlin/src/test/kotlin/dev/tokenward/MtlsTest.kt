package dev.tokenward

import com.sun.net.httpserver.HttpsConfigurator
import com.sun.net.httpserver.HttpsExchange
import com.sun.net.httpserver.HttpsParameters
import com.sun.net.httpserver.HttpsServer
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.InetSocketAddress
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.MessageDigest
import java.security.Signature
import java.security.cert.CertificateFactory
import java.security.spec.ECGenParameterSpec
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Base64
import java.util.Collections
import javax.net.ssl.KeyManagerFactory
import javax.net.ssl.SSLContext
import javax.net.ssl.TrustManagerFactory

/** Mutual TLS (RFC 8705): the shared vectors tests/vectors/mtls.json at the gateway, thumbprints, client options. */
class MtlsTest {
    private val doc: JSONObject = TestVectors.json("mtls.json")

    private fun der(name: String): ByteArray = Base64.getDecoder().decode(doc.getJSONObject("certificates").getString(name))

    private fun pem(der: ByteArray): String =
        "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(der) + "\n-----END CERTIFICATE-----\n"

    private fun cert(name: String?): ByteArray? = when {
        name == null -> null
        name.endsWith("_pem") -> pem(der(name.removeSuffix("_pem"))).toByteArray()
        else -> der(name)
    }

    private fun authenticator(mtls: Boolean, strict: Boolean = false, dpop: Boolean = false): Authenticator {
        val setup = doc.getJSONObject("setup")
        val clock = ManualClock(Instant.ofEpochSecond(setup.getLong("now")))
        val secret = setup.getJSONObject("jwt").getString("hmac_secret")
        val proxies = setup.getJSONArray("trusted_proxies").let { a -> (0 until a.length()).map { a.getString(it) } }
        return Authenticator(
            AuthenticatorOptions(
                jwt = JwtVerifier.withKey(
                    JwtKey.hmac(secret.toByteArray(), Algorithm.HS256),
                    JwtVerifierOptions(algorithms = listOf(Algorithm.HS256), clock = clock),
                ),
                trustedProxies = proxies,
                clock = clock,
                mtlsBoundTokens = mtls && setup.getBoolean("mtls_bound_tokens"),
                requireSenderConstrained = strict,
                dpop = if (dpop) DpopVerifier(DpopVerifierOptions()) else null,
            ),
        )
    }

    @Test
    fun vectors() {
        val auth = authenticator(true)
        assertTrue("client-cert" in auth.headerNames())
        val cases = doc.getJSONArray("cases")
        for (i in 0 until cases.length()) check(auth, cases.getJSONObject(i))
    }

    /** `requireSenderConstrained`: unbound access tokens are refused (a DPoP challenge with DPoP on). */
    @Test
    fun senderConstrainedVectors() {
        val section = doc.getJSONObject("sender_constrained")
        assertTrue(section.getBoolean("require_sender_constrained"))
        val cases = section.getJSONArray("cases")
        for (i in 0 until cases.length()) {
            val c = cases.getJSONObject(i)
            check(authenticator(true, strict = true, dpop = c.getBoolean("dpop")), c)
        }
        val e = assertThrows<TokenwardException.Failed> { authenticator(false, strict = true) }
        assertEquals(ErrorCode.INVALID_INPUT, e.code)
    }

    private fun check(auth: Authenticator, c: JSONObject) {
        val name = c.getString("name")
        val r = c.getJSONObject("request")
        val headers = r.getJSONArray("headers").let { hs ->
            (0 until hs.length()).map {
                val h = hs.getJSONArray(it)
                val v = h.getString(1)
                val value = if (v.startsWith("{client_cert:")) {
                    ":" + doc.getJSONObject("certificates").getString(v.removeSurrounding("{client_cert:", "}")) + ":"
                } else {
                    v
                }
                HttpHeader(h.getString(0), value)
            }
        }
        val request = AuthRequest(
            method = "GET",
            path = "/v1/things",
            headers = headers,
            clientIp = r.getString("client_ip"),
            clientCertificate = cert(if (r.isNull("client_certificate")) null else r.getString("client_certificate")),
        )
        val e = c.getJSONObject("expect")
        when (val d = auth.authenticate(request)) {
            is AuthDecision.Allowed -> assertEquals(200, e.getInt("status"), "$name: got a principal")
            is AuthDecision.Refused -> {
                assertEquals(
                    Triple(e.getInt("status"), e.getString("code"), e.getString("error")),
                    Triple(d.refusal.status.toInt(), d.refusal.code.asString(), d.refusal.error),
                    name,
                )
                if (e.has("www_authenticate")) assertEquals(e.getString("www_authenticate"), d.refusal.wwwAuthenticate, name)
            }
        }
    }

    @Test
    fun thumbprints() {
        val thumbs = doc.getJSONObject("thumbprints")
        for (name in thumbs.keySet()) {
            assertEquals(thumbs.getString(name), certificateThumbprint(der(name)))
            assertEquals(thumbs.getString(name), certificateThumbprint(pem(der(name)).toByteArray()))
        }
        val e = assertThrows<TokenwardException.Failed> { certificateThumbprint("nope".toByteArray()) }
        assertEquals(ErrorCode.MALFORMED, e.code)
    }

    @Test
    fun withoutTheOptionABoundTokenIsABearerToken() {
        val auth = authenticator(false)
        assertFalse("client-cert" in auth.headerNames())
        val bound = doc.getJSONArray("cases").getJSONObject(2).getJSONObject("request").getJSONArray("headers").getJSONArray(0)
        val d = auth.authenticate(AuthRequest(headers = listOf(HttpHeader(bound.getString(0), bound.getString(1)))))
        assertTrue(d is AuthDecision.Allowed)
    }

    @Test
    fun clientCertificateOptionsAreChecked() {
        val noCert = assertThrows<TokenwardException.Failed> {
            OAuthClient("https://as.example/token", "app", OAuthClientOptions(authMethod = AuthMethod.TLS_CLIENT_AUTH))
        }
        assertEquals(ErrorCode.INVALID_INPUT, noCert.code)
        val badPem = assertThrows<TokenwardException.Failed> {
            ClientCertificate.fromPem("nope", Secret("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
        }
        assertEquals(ErrorCode.INVALID_KEY, badPem.code)
        assertFalse(badPem.message.orEmpty().contains("AAAA"))
        assertEquals("self_signed_tls_client_auth", AuthMethod.SELF_SIGNED_TLS_CLIENT_AUTH.asString())
    }

    // --- a TLS server on loopback (com.sun.net.httpserver) that requires a client certificate ---

    /** A certificate made here: DER, PEM and its key pair (X.509 v3, ECDSA P-256 with SHA-256). */
    private class Made(val der: ByteArray, val keys: KeyPair) {
        val pem: String get() = "-----BEGIN CERTIFICATE-----\n" + mime(der) + "\n-----END CERTIFICATE-----\n"
        val keyPem: String get() = "-----BEGIN PRIVATE KEY-----\n" + mime(keys.private.encoded) + "\n-----END PRIVATE KEY-----\n"
    }

    private companion object {
        fun mime(b: ByteArray): String = Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(b)

        fun tlv(tag: Int, vararg parts: ByteArray): ByteArray {
            val body = parts.fold(ByteArray(0)) { a, b -> a + b }
            val n = body.size
            val len = when {
                n < 0x80 -> byteArrayOf(n.toByte())
                n < 0x100 -> byteArrayOf(0x81.toByte(), n.toByte())
                else -> byteArrayOf(0x82.toByte(), (n shr 8).toByte(), (n and 0xff).toByte())
            }
            return byteArrayOf(tag.toByte()) + len + body
        }

        fun seq(vararg p: ByteArray) = tlv(0x30, *p)

        fun oid(s: String): ByteArray {
            val a = s.split('.').map { it.toLong() }
            val out = mutableListOf((40 * a[0] + a[1]).toByte())
            for (v in a.drop(2)) {
                val bytes = mutableListOf((v and 0x7f).toByte())
                var x = v shr 7
                while (x > 0) {
                    bytes.add(0, ((x and 0x7f) or 0x80).toByte())
                    x = x shr 7
                }
                out.addAll(bytes)
            }
            return tlv(0x06, out.toByteArray())
        }

        fun name(cn: String) = seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, cn.toByteArray()))))

        fun utc(i: Instant) = tlv(0x17, DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC).format(i).toByteArray())

        var serial = 1

        fun ecKeys(): KeyPair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()

        fun make(cn: String, issuer: String = cn, keys: KeyPair = ecKeys(), signer: KeyPair = keys, ca: Boolean = false, ip: ByteArray? = null): Made {
            val yes = tlv(0x01, byteArrayOf(0xff.toByte()))
            val alg = seq(oid("1.2.840.10045.4.3.2"))
            val exts = mutableListOf(seq(oid("2.5.29.19"), yes, tlv(0x04, if (ca) seq(yes) else seq())))
            if (ip != null) exts.add(seq(oid("2.5.29.17"), tlv(0x04, seq(tlv(0x87, ip)))))
            val now = Instant.now()
            val tbs = seq(
                tlv(0xa0, tlv(0x02, byteArrayOf(2))), tlv(0x02, byteArrayOf((serial++).toByte())), alg, name(issuer),
                seq(utc(now.minusSeconds(3600)), utc(now.plusSeconds(86400))), name(cn), keys.public.encoded,
                tlv(0xa3, seq(*exts.toTypedArray())),
            )
            val sig = Signature.getInstance("SHA256withECDSA").run {
                initSign(signer.private)
                update(tbs)
                sign()
            }
            return Made(seq(tbs, alg, tlv(0x03, byteArrayOf(0) + sig)), keys)
        }
    }

    private val ca = make("test CA", ca = true)
    private val server = make("server", "test CA", signer = ca.keys, ip = byteArrayOf(127, 0, 0, 1))
    private val client = make("client app", "test CA", signer = ca.keys)

    private class Seen(val path: String, val body: String, val thumbprint: String, val authorization: String?)

    private fun <T> withTlsServer(block: (String, List<Seen>) -> T): T {
        val x509 = CertificateFactory.getInstance("X.509")
        val keyStore = KeyStore.getInstance("PKCS12").apply { load(null, null) }
        val pw = "test".toCharArray()
        keyStore.setKeyEntry("server", server.keys.private, pw, arrayOf(x509.generateCertificate(server.der.inputStream())))
        val trust = KeyStore.getInstance("PKCS12").apply { load(null, null) }
        trust.setCertificateEntry("ca", x509.generateCertificate(ca.der.inputStream()))
        val kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm()).apply { init(keyStore, pw) }
        val tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).apply { init(trust) }
        val ctx = SSLContext.getInstance("TLS").apply { init(kmf.keyManagers, tmf.trustManagers, null) }
        val seen = Collections.synchronizedList(mutableListOf<Seen>())
        val https = HttpsServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        https.httpsConfigurator = object : HttpsConfigurator(ctx) {
            override fun configure(params: HttpsParameters) {
                params.setSSLParameters(ctx.defaultSSLParameters.apply { needClientAuth = true })
            }
        }
        https.createContext("/") { ex ->
            val der = (ex as HttpsExchange).sslSession.peerCertificates[0].encoded
            val thumb = Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(der))
            val body = ex.requestBody.readBytes().decodeToString()
            seen.add(Seen(ex.requestURI.path, body, thumb, ex.requestHeaders.getFirst("Authorization")))
            val answer = when (ex.requestURI.path) {
                "/token" -> JSONObject(mapOf("access_token" to "bound-to-$thumb", "token_type" to "Bearer", "expires_in" to 60))
                "/introspect" -> JSONObject(mapOf("active" to true, "sub" to "app", "cnf" to mapOf("x5t#S256" to thumb)))
                else -> JSONObject()
            }.toString().toByteArray()
            ex.responseHeaders.add("content-type", "application/json")
            ex.sendResponseHeaders(200, answer.size.toLong())
            ex.responseBody.use { it.write(answer) }
        }
        https.start()
        try {
            return block("https://127.0.0.1:${https.address.port}", seen)
        } finally {
            https.stop(0)
        }
    }

    @Test
    fun tlsClientAuthPresentsTheCertificate() = withTlsServer { url, seen ->
        val c = OAuthClient(
            "$url/token",
            "app",
            OAuthClientOptions(
                introspectionUrl = "$url/introspect",
                revocationUrl = "$url/revoke",
                clientCertificate = ClientCertificate.fromPem(client.pem, Secret(client.keyPem)),
                caCertificates = ca.pem,
            ),
        )
        assertEquals(AuthMethod.TLS_CLIENT_AUTH, c.authMethod())
        val expected = certificateThumbprint(client.der)
        runBlocking {
            val token = c.clientCredentials().accessToken().secret()
            assertEquals("bound-to-$expected", token.expose())
            assertTrue(c.introspect(token).active)
            c.revoke(token)
        }
        assertEquals(listOf("/token", "/introspect", "/revoke"), seen.map { it.path })
        for (s in seen) {
            assertEquals(expected, s.thumbprint)
            assertTrue("client_id=app" in s.body, s.body)
            assertFalse("client_secret" in s.body, s.body)
            assertEquals(null, s.authorization)
        }
    }

    @Test
    fun withoutAClientCertificateTheHandshakeIsRefused() = withTlsServer { url, seen ->
        val c = OAuthClient(
            "$url/token",
            "app",
            OAuthClientOptions(clientSecret = Secret("s3cret"), authMethod = AuthMethod.CLIENT_SECRET_POST, caCertificates = ca.pem),
        )
        val e = assertThrows<TokenwardException.Failed> { runBlocking { c.clientCredentials() } }
        assertEquals(ErrorCode.NETWORK, e.code)
        assertTrue(seen.isEmpty())
    }
}

