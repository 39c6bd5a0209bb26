// A tour of the main jobs from Kotlin: API keys, a JWT issued and verified, a log line scrubbed,
// and a request through the in-process gateway.
// Run: `scripts/run-examples.sh` (Maven compiles this file with the Kotlin test sources, see
// kotlin/pom.xml; in your project, depend on dev.tokenward:tokenward). Exits non-zero if
// tokenward does not behave as described.
package dev.tokenward.examples

import dev.tokenward.ApiKeys
import dev.tokenward.AuthDecision
import dev.tokenward.AuthRequest
import dev.tokenward.Algorithm
import dev.tokenward.Authenticator
import dev.tokenward.AuthenticatorOptions
import dev.tokenward.HttpHeader
import dev.tokenward.JwtIssueOptions
import dev.tokenward.JwtIssuer
import dev.tokenward.JwtIssuerOptions
import dev.tokenward.JwtKey
import dev.tokenward.JwtVerifier
import dev.tokenward.JwtVerifierOptions
import dev.tokenward.KeySet
import dev.tokenward.RateLimit
import dev.tokenward.TokenwardException
import dev.tokenward.redact

fun main() {
    // API keys: the secret is shown once; the store keeps a hash.
    val keys = ApiKeys("tw_live")
    val issued = keys.create("acct_42", listOf("read"))
    println("issued API key ${issued.record.id} (printed form: ${issued.secret})")
    println("verified: owner ${keys.verify(issued.secret.expose()).owner}")

    // JWT: an explicit algorithm allowlist, issuer and audience checked.
    val key = JwtKey.generate(Algorithm.ED_DSA).withKid("2026-12")
    val token = JwtIssuer(key, JwtIssuerOptions(issuer = "https://auth.example", audience = listOf("api")))
        .issue("""{"scope":"read"}""", JwtIssueOptions(subject = "user-1"))
    val jwks = KeySet().apply { insert(key) }.toJwksJson()
    val verifier = JwtVerifier.withJwks(
        jwks,
        JwtVerifierOptions(algorithms = listOf(Algorithm.ED_DSA), issuers = listOf("https://auth.example"), audiences = listOf("api")),
    )
    println("JWT verified: sub = ${verifier.verifyClaims(token).subject}")
    // A different signature: its first character changed (the last ones carry padding bits).
    val signatureStart = token.lastIndexOf('.') + 1
    val tampered = token.substring(0, signatureStart) + (if (token[signatureStart] == 'A') 'B' else 'A') +
        token.substring(signatureStart + 1)
    try {
        verifier.verify(tampered)
        error("a tampered JWT verified")
    } catch (refused: TokenwardException.Failed) {
        println("tampered JWT refused: ${refused.code.asString()}")
    }

    // Redaction: secrets in a log line become fingerprints.
    println("log line: ${redact("GET /v1 Authorization: Bearer $token api_key=${issued.secret.expose()}")}")

    // Gateway: the API key authenticates a request; a request without one gets a 401.
    val auth = Authenticator(
        AuthenticatorOptions(apiKeys = keys, rateLimit = RateLimit(rate = 100u, burst = 20u)),
    )
    val request = AuthRequest(
        method = "GET",
        path = "/v1/things",
        headers = listOf(HttpHeader("x-api-key", issued.secret.expose())),
        clientIp = "198.51.100.7",
        requiredScopes = listOf("read"),
    )
    when (val decision = auth.authenticate(request)) {
        is AuthDecision.Allowed -> println("gateway: ${decision.principal.subject} allowed")
        is AuthDecision.Refused -> error("the API key was refused: ${decision.refusal.code}")
    }
    when (val decision = auth.authenticate(request.copy(headers = emptyList(), requiredScopes = emptyList()))) {
        is AuthDecision.Refused -> println("gateway: no credentials -> ${decision.refusal.status} ${decision.refusal.code}")
        is AuthDecision.Allowed -> error("a request without credentials was let through")
    }
}
