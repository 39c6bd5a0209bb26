package dev.tokenward.bench

import dev.tokenward.AuthDecision
import dev.tokenward.authenticateFast
import dev.tokenward.fastPathAvailable
import dev.tokenward.verifyFast
import java.io.File
import java.lang.management.ManagementFactory

/**
 * Heap check of the JNI path (issue #20: a flat heap over 10 M calls): runs `verifyFast`,
 * `ApiKeys.verifyFast` and `authenticateFast` N times each (default 10 M) and prints, every
 * N/10 calls, the Java heap in use after a full GC, the process RSS (native memory: a leak in Rust
 * would show here) and the collections so far. Run by scripts/bench-jvm-jmh.sh with a small
 * -Xmx. Not a test (no *Test class): prints, never fails on a figure, except that every call must
 * succeed.
 */
fun main(args: Array<String>) {
    val calls = args.firstOrNull()?.toLong() ?: 10_000_000L
    check(fastPathAvailable) { "the JNI functions are not loaded" }
    val jwt = JwtFixture("HS256")
    val gw = GatewayFixture()
    val ops: List<Pair<String, () -> Int>> = listOf(
        "JwtVerifier.verifyFast HS256" to { jwt.verifier.verifyFast(jwt.token).length },
        "ApiKeys.verifyFast" to { gw.keys.verifyFast(gw.apiKey).owner.length },
        "Authenticator.authenticateFast API key" to {
            (gw.keyAuthenticator.authenticateFast(gw.keyRequest) as AuthDecision.Allowed).principal.subject.length
        },
    )
    val memory = ManagementFactory.getMemoryMXBean()
    val gcs = ManagementFactory.getGarbageCollectorMXBeans()
    fun heapAfterGc(): Long {
        repeat(2) { System.gc(); Thread.sleep(50) }
        return memory.heapMemoryUsage.used
    }
    fun rss(): Long = File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
        .split(Regex("\\s+"))[1].toLong() * 1024
    fun mib(bytes: Long) = String.format("%.1f MiB", bytes / 1048576.0)
    println("heap check: $calls calls per operation, Java ${Runtime.version()}, max heap ${mib(Runtime.getRuntime().maxMemory())}")
    var sink = 0L
    for ((name, op) in ops) {
        repeat(100_000) { sink += op() } // warm-up
        val gc0 = gcs.sumOf { it.collectionCount }
        val t0 = gcs.sumOf { it.collectionTime }
        val start = System.nanoTime()
        println("$name: start heap ${mib(heapAfterGc())}, RSS ${mib(rss())}")
        val step = calls / 10
        for (part in 1..10) {
            var i = 0L
            while (i < step) { sink += op(); i++ }
            println(
                String.format(
                    "  %,12d calls: heap after GC %s, RSS %s, %d collections (%d ms)",
                    part * step, mib(heapAfterGc()), mib(rss()),
                    gcs.sumOf { it.collectionCount } - gc0, gcs.sumOf { it.collectionTime } - t0,
                ),
            )
        }
        println(String.format("  %.2f µs per call (including the checkpoints)", (System.nanoTime() - start) / 1000.0 / calls))
    }
    println("(checksum $sink)")
}
