package dev.tokenward

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.time.Instant
import java.util.concurrent.CopyOnWriteArrayList

/** Audit events through `onAudit`, produced by real operations (there is no test hook). */
class AuditTest {
    private class Collector : AuditListener {
        val events = CopyOnWriteArrayList<AuditEvent>()
        override fun onEvent(event: AuditEvent) {
            events.add(event)
        }
    }

    private fun inAMinute(): Instant = Instant.now().plusSeconds(60)

    @Test
    fun listenerReceivesTypedEventsUntilClosed() {
        val collector = Collector()
        val subscription = onAudit(collector)
        val list = RevocationList()
        val auth = Authenticator(AuthenticatorOptions(apiKeys = ApiKeys("tw_test")))
        try {
            list.revoke(RevocationKind.SUBJECT, "audit-kt-alice", inAMinute())
            auth.authenticate(AuthRequest(clientIp = "198.51.100.7"))
        } finally {
            subscription.cancel()
        }
        subscription.cancel() // cancelling twice does nothing
        list.revoke(RevocationKind.SUBJECT, "audit-kt-carol", inAMinute())

        val revoked = collector.events.filter { it.credentialId?.startsWith("audit-kt-") == true }
        assertEquals(
            listOf(AuditEvent("gateway.revoke_subject", AuditOutcome.SUCCESS, null, "audit-kt-alice", null)),
            revoked.map { AuditEvent(it.action, it.outcome, it.code, it.credentialId, it.subject) },
        )
        val refused = collector.events.first { it.action == "gateway.authenticate" }
        assertEquals(AuditOutcome.FAILURE, refused.outcome)
        assertEquals(ErrorCode.MISSING_CREDENTIALS, refused.code)
        assertEquals("missing_credentials", refused.code!!.asString())
        val text = collector.events.joinToString("\n")
        assertEquals(text, redact(text))
    }

    @Test
    fun noTestHookIsPublished() {
        val functions = Class.forName("dev.tokenward.TokenwardKt").methods.map { it.name }
        assertTrue(functions.contains("onAudit"), functions.toString())
        assertTrue(functions.none { it.contains("emit", ignoreCase = true) }, functions.toString())
    }
}
