#!/usr/bin/env bash
# NOT RUN HERE: this Linux machine has no Android NDK (and no Android SDK/Gradle to assemble an
# AAR), so neither CI nor the consumer suite runs this script; it is the recipe for a release
# machine. It has not been executed by this project.
#
# Builds libtokenward_ffi.so for the Android ABIs with cargo-ndk, in the jniLibs layout an
# Android library module (AAR) packs, next to the Kotlin bindings (the same generated source as
# the JVM jar; both talk to the library through JNA):
#
#   scripts/build-android.sh [OUTDIR]           (default: <repo>/target/android)
#
#   OUTDIR/jniLibs/arm64-v8a/libtokenward_ffi.so
#   OUTDIR/jniLibs/armeabi-v7a/libtokenward_ffi.so
#   OUTDIR/jniLibs/x86_64/libtokenward_ffi.so
#   OUTDIR/kotlin/dev/tokenward/tokenward.kt
#
# Needs: rustup, cargo-ndk (`cargo install cargo-ndk`), an NDK (r27 or later) in
# ANDROID_NDK_HOME. ANDROID_API (default 24) is the minSdk the libraries are linked for.
#
# In the Android library module (Gradle, Kotlin DSL):
#   android { sourceSets["main"].jniLibs.srcDir("<OUTDIR>/jniLibs")
#             sourceSets["main"].kotlin.srcDir("<OUTDIR>/kotlin") }
#   dependencies {
#       implementation("net.java.dev.jna:jna:5.19.1@aar")   // the AAR: libjnidispatch per ABI
#       implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.11.0")
#   }
#   R8/ProGuard: -keep class com.sun.jna.** { *; }  -keep class dev.tokenward.** { *; }
#   (JNA reaches the generated Structure/Callback classes by reflection).
# The JVM jar (scripts/package/jvm.sh) is not for Android: it depends on the plain JNA jar,
# whose native part has no Android build.
#
# HTTPS: on Android the core verifies server certificates against Mozilla's root store compiled
# into the library (webpki-root-certs), not through rustls-platform-verifier, which would need
# an initialisation with a JNI Context and its own Kotlin component. See README.md ("Android").
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
OUT="${1:-$REPO/target/android}"
API="${ANDROID_API:-24}"
ABIS=(arm64-v8a armeabi-v7a x86_64)
TARGETS=(aarch64-linux-android armv7-linux-androideabi x86_64-linux-android)

[ -n "${ANDROID_NDK_HOME:-}" ] && [ -d "$ANDROID_NDK_HOME" ] || {
  echo "build-android: set ANDROID_NDK_HOME to an Android NDK (r27+); nothing built." >&2
  exit 2
}
for tool in rustup cargo; do
  command -v "$tool" >/dev/null || { echo "build-android: '$tool' not found" >&2; exit 2; }
done
cargo ndk --version >/dev/null 2>&1 || { echo "build-android: cargo-ndk not found (cargo install cargo-ndk)" >&2; exit 2; }

cd "$REPO"
rustup target add "${TARGETS[@]}"

# 16 KB page alignment, required for apps targeting Android 15+ on 16 KB-page devices.
for t in "${TARGETS[@]}"; do
  var="CARGO_TARGET_$(echo "$t" | tr 'a-z-' 'A-Z_')_RUSTFLAGS"
  export "$var=${!var:-} -C link-arg=-Wl,-z,max-page-size=16384"
done

ABI_ARGS=()
for abi in "${ABIS[@]}"; do ABI_ARGS+=(-t "$abi"); done
rm -rf "$OUT/jniLibs"
mkdir -p "$OUT/jniLibs"
# cargo-ndk sets the NDK's clang as linker and C compiler (aws-lc-sys, SQLite) per ABI and
# copies each libtokenward_ffi.so to OUT/jniLibs/<abi>/.
cargo ndk --platform "$API" "${ABI_ARGS[@]}" -o "$OUT/jniLibs" \
  build --release -p tokenward-ffi --lib

# Strip symbol tables (the exported uniffi functions stay in the dynamic symbol table).
STRIP="$(ls "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*/bin/llvm-strip 2>/dev/null | head -n1 || true)"
for abi in "${ABIS[@]}"; do
  so="$OUT/jniLibs/$abi/libtokenward_ffi.so"
  [ -f "$so" ] || { echo "build-android: $so was not produced" >&2; exit 1; }
  [ -z "$STRIP" ] || "$STRIP" --strip-unneeded "$so"
done

# The Kotlin bindings, generated from the host build of the same crate (same uniffi checksums).
mkdir -p "$OUT/kotlin/dev/tokenward"
cp "$REPO/kotlin/src/main/kotlin/dev/tokenward/tokenward.kt" "$OUT/kotlin/dev/tokenward/"
"$REPO/scripts/check-bindings-fresh.sh" >/dev/null \
  || { echo "build-android: the committed Kotlin bindings are stale (scripts/gen-bindings.sh)" >&2; exit 1; }

echo "build-android: $OUT"
for abi in "${ABIS[@]}"; do
  printf '  %-12s %s\n' "$abi" "$(du -h "$OUT/jniLibs/$abi/libtokenward_ffi.so" | cut -f1)"
done
