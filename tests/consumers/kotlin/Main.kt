// The consumer program of tests/consumers/kotlin/run.sh: a fresh project that knows tokenward only
// as the Maven artifact dev.tokenward:tokenward. It runs with no system properties, so the
// native library must come out of the jar (JNA's linux-x86-64/ resource).
import com.sun.jna.NativeLibrary
import dev.tokenward.Algorithm
import dev.tokenward.ApiKeys
import dev.tokenward.ApiKeysOptions
import dev.tokenward.JwtIssueOptions
import dev.tokenward.JwtIssuer
import dev.tokenward.JwtIssuerOptions
import dev.tokenward.JwtKey
import dev.tokenward.JwtVerifier
import dev.tokenward.JwtVerifierOptions
import dev.tokenward.KeySet
import dev.tokenward.Secret
import dev.tokenward.TokenwardException
import dev.tokenward.redact
import dev.tokenward.version
import java.io.File

var passed = 0
var failed = 0

fun check(name: String, block: () -> Boolean) {
    val ok = try {
        block()
    } catch (e: Throwable) {
        val root = generateSequence(e) { it.cause }.last()
        println("not ok - $name: ${e::class.simpleName}: ${root.message}")
        failed++
        return
    }
    if (ok) {
        println("ok - $name")
        passed++
    } else {
        println("not ok - $name")
        failed++
    }
}

fun codeOf(block: () -> Unit): String? =
    try {
        block()
        null
    } catch (e: TokenwardException.Failed) {
        e.code.asString() // the typed ErrorCode's stable string
    }

fun main(args: Array<String>) {
    try {
        run(File(args.getOrElse(0) { "." }).absoluteFile)
    } catch (e: Throwable) {
        // The library did not load, or a call outside check() failed: a failure, not a crash.
        println("not ok - unexpected ${e::class.qualifiedName}: ${e.message}")
        failed++
    }
    println("consumer-kotlin: $passed passed, $failed failed")
    kotlin.system.exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}

fun run(work: File) {

    check("no jna.library.path or library override is set") {
        System.getProperty("jna.library.path") == null &&
            System.getProperty("uniffi.component.tokenward.libraryOverride") == null
    }
    // uniffi's Kotlin checks the API checksums only when asked to (Swift checks them on every
    // first call): the jar's classes and its native library must come from the same build.
    check("the jar's bindings match its native library (uniffi API checksums)") {
        dev.tokenward.uniffiEnsureInitialized()
        true
    }
    check("version() answers") { version().isNotEmpty() }
    check("the native library was extracted from the jar, not found on a path") {
        val file = NativeLibrary.getInstance("tokenward_ffi").file
        println("  # loaded ${file.name} from ${file.parent}")
        // JNA names the copy it extracts from a jar jna<digits>.tmp (in jna.tmpdir).
        file.name.startsWith("jna") && !file.absolutePath.contains("/target/")
    }

    // JWT: issue with an ES256 key, verify against the published JWKS (public part only).
    val key = JwtKey.generate(Algorithm.ES256).withKid("consumer-1")
    val jwks = KeySet().also { it.insert(key) }.toJwksJson()
    val issuer = JwtIssuer(key, JwtIssuerOptions(issuer = "https://auth.example", audience = listOf("api"), ttl = java.time.Duration.ofSeconds(300)))
    val token = issuer.issue("""{"scope":"read"}""", JwtIssueOptions(subject = "user-1"))
    val verifier = JwtVerifier.withJwks(
        jwks,
        JwtVerifierOptions(algorithms = listOf(Algorithm.ES256), issuers = listOf("https://auth.example"), audiences = listOf("api")),
    )
    check("JWT issue + verify") {
        val claims = verifier.verifyClaims(token)
        claims.subject == "user-1" && claims.issuer == "https://auth.example" &&
            claims.audience == listOf("api") && claims.json.contains("\"scope\":\"read\"") &&
            claims.expiresAt!! - claims.issuedAt!! == 300L
    }
    check("JWT with a flipped signature byte is refused with a code") {
        val parts = token.split(".")
        val sig = parts[2]
        val bad = parts[0] + "." + parts[1] + "." + (if (sig[0] == 'A') "B" else "A") + sig.substring(1)
        codeOf { verifier.verifyClaims(bad) } in setOf("invalid_signature", "malformed")
    }
    check("JWT for another audience is refused") {
        val other = JwtIssuer(key, JwtIssuerOptions(issuer = "https://auth.example", audience = listOf("other")))
            .issue("{}", JwtIssueOptions(subject = "user-1"))
        codeOf { verifier.verifyClaims(other) } == "invalid_audience"
    }

    // API keys in a SQLite file of this temporary project.
    val db = File(work, "keys.db")
    val pepper = Secret("a-long-server-side-pepper-value!")
    var plaintext = ""
    check("API key create (SQLite)") {
        ApiKeys("tw_live", ApiKeysOptions(store = "sqlite://${db.absolutePath}", pepper = pepper)).use { keys ->
            val issued = keys.create("alice", listOf("read"), java.time.Duration.ofHours(1), mapOf("plan" to "pro"))
            plaintext = issued.secret.expose()
            plaintext.startsWith("tw_live_") && !issued.secret.toString().contains(plaintext)
        }
    }
    check("API key verify after reopening the SQLite file") {
        ApiKeys("tw_live", ApiKeysOptions(store = "sqlite://${db.absolutePath}", pepper = pepper)).use { keys ->
            val record = keys.verify(plaintext)
            record.owner == "alice" && record.scopes == listOf("read") && record.metadata == mapOf("plan" to "pro")
        }
    }
    check("API key with one character changed is refused") {
        val typo = plaintext.dropLast(1) + (if (plaintext.last() == 'x') "y" else "x")
        ApiKeys("tw_live", ApiKeysOptions(store = "sqlite://${db.absolutePath}", pepper = pepper)).use { keys -> codeOf { keys.verify(typo) } != null }
    }
    check("the SQLite file holds no plaintext key") {
        db.isFile && !String(db.readBytes(), Charsets.ISO_8859_1).contains(plaintext)
    }

    // Redaction of a log line.
    check("redact a log line") {
        val line = "GET /v1/things Authorization: Bearer $token api_key=$plaintext"
        val out = redact(line)
        println("  # ${out.take(120)}")
        !out.contains(token) && !out.contains(plaintext) && out.contains("[REDACTED") && out.startsWith("GET /v1/things")
    }
    verifier.close()
}
