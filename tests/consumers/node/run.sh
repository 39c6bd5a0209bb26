#!/usr/bin/env bash
# Node consumer: a fresh npm project OUTSIDE the repository installs the tarballs in
# ${DIST:-$REPO/dist} (scripts/package/node.sh) — the main package and the platform packages,
# from their local paths only — then uses tokenward as a user would:
#   - a CommonJS script (require) and an ESM script (import): JWT issue + verify, API key create +
#     verify (SQLite), redact a line, and a proof that tokenward resolved from the project's own
#     node_modules (not from the repository);
#   - `tsc --noEmit --strict` on a TypeScript file using the API, with both module resolutions a
#     TypeScript user meets (nodenext and bundler).
# TypeScript comes from node/node_modules (a devDependency there) when present, so the suite
# needs no registry; otherwise it is installed into the temporary project.
# Last line: "consumer-node: N passed, M failed"; non-zero exit on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/../../../scripts/common.sh"
DIST="${DIST:-$REPO/dist}"
passed=0; failed=0
ok() { echo "ok   - $1"; passed=$((passed+1)); }
bad() { echo "FAIL - $1"; failed=$((failed+1)); }
finish() {
  echo "consumer-node: $passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit
}

version="$(node -p "require('$REPO/node/package.json').version")"
main_tgz="$DIST/tokenward-$version.tgz"
shopt -s nullglob
platform_tgzs=("$DIST"/tokenward-linux-*-"$version".tgz)
shopt -u nullglob
if [ ! -f "$main_tgz" ] || [ ${#platform_tgzs[@]} -eq 0 ]; then
  bad "npm tarballs in $DIST (run scripts/package.sh node)"
  finish
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
case "$WORK/" in "$REPO"/*) bad "temp project must be outside the repository"; finish ;; esac
cd "$WORK"

# The project: tokenward from the main tarball; every platform package of the optional
# dependencies pinned to its tarball with `overrides`, so npm never asks a registry for
# tokenward-* and still applies os/cpu/libc to pick the one that fits this machine.
node - "$main_tgz" "${platform_tgzs[@]}" <<'EOF'
const fs = require('node:fs')
const [main, ...platforms] = process.argv.slice(2)
const overrides = {}
for (const t of platforms) overrides[require('node:path').basename(t).replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')] = `file:${t}`
fs.writeFileSync('package.json', JSON.stringify({
  name: 'tokenward-consumer', version: '1.0.0', private: true,
  dependencies: { tokenward: `file:${main}` }, overrides,
}, null, 2))
EOF
if npm install --prefer-offline --no-audit --no-fund --loglevel=error > npm-install.log 2>&1; then
  ok "npm install of $(basename "$main_tgz") + ${#platform_tgzs[@]} platform package(s)"
else
  cat npm-install.log
  bad "npm install"
  finish
fi
host_pkg="tokenward-linux-x64-$( [ -f /etc/alpine-release ] && echo musl || echo gnu)"
if [ -f "node_modules/$host_pkg/package.json" ] && ls node_modules/"$host_pkg"/*.node >/dev/null 2>&1; then
  ok "npm picked $host_pkg for this machine"
else
  bad "platform package $host_pkg not installed: $(ls node_modules)"
fi
others="$(cd node_modules && ls -d tokenward-* 2>/dev/null | grep -vx "$host_pkg" || true)"
if [ -z "$others" ]; then ok "no platform package of another os/cpu/libc installed"; else bad "foreign platform packages installed: $others"; fi

# The body shared by the CJS and ESM scripts (tw = the module).
cat > body.inc <<'EOF'
const path = require('node:path')
const os = require('node:os')
const fs = require('node:fs')
const where = require.resolve('tokenward')
const here = path.join(process.cwd(), 'node_modules', 'tokenward') + path.sep
if (!where.startsWith(here)) throw new Error(`tokenward resolved to ${where}, not ${here}`)
const addon = Object.keys(require.cache).find((f) => f.endsWith('.node'))
const nm = path.join(process.cwd(), 'node_modules') + path.sep
if (!addon || !addon.startsWith(nm + 'tokenward-linux-')) throw new Error(`addon loaded from ${addon}`)

// JWT: issue and verify; a tampered token is refused with a code.
const key = tw.JwtKey.generate('EdDSA').withKid('k1')
const token = new tw.JwtIssuer(key, { issuer: 'https://auth.example', audience: 'api' }).issue({ scope: 'read' }, { subject: 'u1' })
const verifier = new tw.JwtVerifier(new tw.KeySet([key]), { algorithms: ['EdDSA'], issuers: 'https://auth.example', audiences: 'api' })
const claims = verifier.verify(token)
if (claims.sub !== 'u1' || claims.scope !== 'read') throw new Error(`claims ${JSON.stringify(claims)}`)
const [h, p, s] = token.split('.')
const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url')}.${s}`
let refused
try { verifier.verify(forged) } catch (e) { refused = e.code }
if (refused !== 'invalid_signature') throw new Error(`forged token: ${refused}`)

// API keys in SQLite: create, verify, revoke.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-consumer-'))
const keys = new tw.ApiKeys('tw_test', { store: `sqlite://${path.join(dir, 'keys.db')}`, pepper: 'pepper-for-the-consumer-test' })
const issued = keys.create('alice', { scopes: ['read'] })
const record = keys.verify(issued.secret.expose())
if (record.owner !== 'alice') throw new Error('wrong owner')
keys.revoke(record.id)
let revoked
try { keys.verify(issued.secret) } catch (e) { revoked = e.code }
if (revoked !== 'revoked') throw new Error(`revoked key: ${revoked}`)
if (String(issued.secret).includes(issued.secret.expose())) throw new Error('Secret printed its value')
fs.rmSync(dir, { recursive: true, force: true })

// Redaction.
const line = tw.redact(`GET /x?api_key=${issued.secret.expose()} Authorization: Bearer ${token}`)
if (line.includes(issued.secret.expose()) || line.includes(token) || !line.includes('[REDACTED')) throw new Error(`redact: ${line}`)
console.log(`${KIND} ok: tokenward ${tw.version()} from ${path.relative(process.cwd(), where)}, addon ${path.relative(process.cwd(), addon)}`)
EOF

{ echo "'use strict'"; echo "const KIND = 'cjs'"; echo "const tw = require('tokenward')"; cat body.inc; } > cjs.cjs
{ echo "import tw, { JwtKey, JwtVerifier, redact } from 'tokenward'"; echo "import { createRequire } from 'node:module'"
  echo "const require = createRequire(import.meta.url)"; echo "const KIND = 'esm'"
  echo "if (tw.JwtKey !== JwtKey || tw.JwtVerifier !== JwtVerifier || tw.redact !== redact) throw new Error('named and default exports differ')"
  cat body.inc; } > esm.mjs
for script in cjs.cjs esm.mjs; do
  if out="$(node "$script" 2>&1)"; then ok "$out"; else echo "$out"; bad "node $script"; fi
done

# TypeScript, strict, against the installed package's types. tsc and @types/node (the types use
# Buffer, as every Node package's do, and reference them with `/// <reference types="node" />`, so
# no `--types node` is needed) from node/node_modules when there, else from npm.
TSC="$REPO/node/node_modules/typescript/bin/tsc"
TYPE_ROOTS="$REPO/node/node_modules/@types"
if [ ! -f "$TSC" ] || [ ! -d "$TYPE_ROOTS/node" ]; then
  npm install --prefer-offline --no-audit --no-fund --loglevel=error --no-save typescript @types/node@20 >/dev/null 2>&1
  TSC="$WORK/node_modules/typescript/bin/tsc"; TYPE_ROOTS="$WORK/node_modules/@types"
fi
cat > use.mts <<'EOF'
import tw, { JwtKey, JwtIssuer, JwtVerifier, KeySet, ApiKeys, redact, Secret, type KeyRecord } from 'tokenward'

const key: JwtKey = JwtKey.generate('EdDSA').withKid('k1')
const token: string = new JwtIssuer(key, { issuer: 'https://auth.example' }).issue({ scope: 'read' }, { subject: 'u1' })
const claims: Record<string, any> = new JwtVerifier(new KeySet([key]), { algorithms: ['EdDSA'], issuers: 'https://auth.example' }).verify(token)
const keys = new ApiKeys('tw_test')
const issued = keys.create('alice', { scopes: ['read'] })
const secret: Secret = issued.secret
const record: KeyRecord = keys.verify(secret)
const line: string = redact(`token=${token}`)
const version: string = tw.version()
async function remote(): Promise<Record<string, any>> {
  const set = await tw.RemoteKeySet.discover('https://id.example')
  return new tw.RemoteJwtVerifier(set, { algorithms: ['RS256'] }).verify(token)
}
// @ts-expect-error internal methods are not part of the public types
tw.RemoteKeySet.discoverRaw
// @ts-expect-error test hooks are not part of the public types
tw.emitTestAuditEvent
export { claims, record, line, version, remote }
EOF
cat > use.cts <<'EOF'
import tw = require('tokenward')
const v: string = tw.version()
const verifier: tw.JwtVerifier = new tw.JwtVerifier(tw.JwtKey.hmac(Buffer.alloc(32, 7), 'HS256'), { algorithms: ['HS256'] })
export = { v, verifier }
EOF
for mode in "nodenext:--module nodenext --moduleResolution nodenext" "bundler:--module esnext --moduleResolution bundler"; do
  name="${mode%%:*}"; flags="${mode#*:}"
  files="use.mts use.cts"; [ "$name" = bundler ] && files="use.mts"
  # shellcheck disable=SC2086
  if out="$(node "$TSC" --noEmit --strict --target es2022 --typeRoots "$TYPE_ROOTS" $flags $files 2>&1)"; then
    ok "tsc --noEmit --strict ($name)"
  else
    echo "$out" | head -30; bad "tsc --noEmit --strict ($name)"
  fi
done
finish
