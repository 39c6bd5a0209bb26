// Kept tokens: the shared vectors tests/vectors/stored_tokens.json, and a JS TokenStore
// (synchronous and promise-returning) against the real OAuth server (tests/oauth/mock-server.mjs):
// every rotation saved with the new refresh token, a restore with a fresh token makes no
// request (counted by the server), a restore with an expired token refreshes, invalid_grant
// clears the store, store failures reach onError, no secret in any printed form or error.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'

import { OAuthClient, StoredTokens, TokenSource } from '../index.mjs'
import { startMock } from './mock_server.mjs'
import { codeOf, loadVectors, until } from './vectors.mjs'

const input = (c) => (c.input_repeat ? c.input_repeat.prefix + c.input_repeat.fill.repeat(c.input_repeat.count) + c.input_repeat.suffix : c.json)

test('stored tokens vectors', () => {
  const v = loadVectors('stored_tokens.json')
  for (const c of v.valid) {
    const t = StoredTokens.fromJson(c.json)
    assert.deepEqual({
      access_token: t.accessToken.expose(),
      token_type: t.tokenType,
      expires_at: t.expiresAt,
      refresh_token: t.refreshToken ? t.refreshToken.expose() : null,
      scopes: t.scopes,
      id_token: t.idToken ? t.idToken.expose() : null,
    }, c.expect, c.name)
    assert.equal(StoredTokens.fromJson(t.toJson()).toJson(), t.toJson())
    const printed = `${t} ${inspect(t)} ${JSON.stringify(t)}`
    assert.ok(!printed.includes(c.expect.access_token), printed)
  }
  for (const c of v.invalid) assert.equal(codeOf(() => StoredTokens.fromJson(input(c))), c.code, c.name)
})

test('StoredTokens are redacted and checked', () => {
  const t = new StoredTokens('AT-secret', 'Bearer', 5, 'RT-secret', ['a'], 'ID-secret')
  const printed = `${t} ${inspect(t)} ${JSON.stringify(t)}`
  for (const s of ['AT-secret', 'RT-secret', 'ID-secret']) assert.ok(!printed.includes(s), printed)
  assert.equal(codeOf(() => new StoredTokens('AT', 'Bearer', -1)), 'invalid_input')
  assert.equal(codeOf(() => new StoredTokens('AT', '', 1)), 'invalid_input')
})

/** A store keeping the JSON form; `async` makes its methods return promises. */
function keptStore({ async = false } = {}) {
  const store = {
    json: null,
    log: [],
    fail: false,
    save(tokens) {
      store.log.push('save')
      if (store.fail) throw new RangeError('disk full RT-leak')
      store.json = tokens.toJson()
    },
    load() {
      store.log.push('load')
      return store.json ? StoredTokens.fromJson(store.json) : null
    },
    clear() {
      store.log.push('clear')
      store.json = null
    },
  }
  if (!async) return store
  const wrap = (fn) => (...a) => new Promise((resolve, reject) => setImmediate(() => {
    try { resolve(fn(...a)) } catch (e) { reject(e) }
  }))
  return Object.assign(store, { save: wrap(store.save), load: wrap(store.load), clear: wrap(store.clear) })
}

const kept = (store) => StoredTokens.fromJson(store.json)

for (const async of [false, true]) {
  test(`kept tokens against the real server (${async ? 'promise' : 'sync'} store)`, async () => {
    const mock = await startMock()
    try {
      const client = await OAuthClient.discover(mock.issuer, 'node-client', { clientSecret: 'node-secret' })
      const store = keptStore({ async })
      const options = { background: false }

      // Every rotation is saved with the new refresh token.
      const src = TokenSource.fromRefreshToken(client, 'initial-refresh', null, options)
      src.keepTokens(store)
      const at = await src.token()
      await until(() => store.log.length >= 1, 'the first save')
      const first = kept(store)
      assert.equal(first.accessToken.expose(), at.expose())
      assert.notEqual(first.refreshToken.expose(), 'initial-refresh')
      await src.forceRefresh()
      await until(() => store.log.length >= 2, 'the second save')
      const second = kept(store)
      assert.notEqual(second.refreshToken.expose(), first.refreshToken.expose())
      assert.deepEqual(store.log, ['save', 'save'])
      src.close()

      // A fresh kept token: restore makes no request.
      await mock.control('/__reset')
      const restored = await TokenSource.restore(client, store, options)
      assert.equal((await restored.token()).expose(), second.accessToken.expose())
      assert.equal(await mock.count('token'), 0)
      restored.close()

      // An expired kept token: the first token() refreshes with the kept refresh token.
      store.json = new StoredTokens(second.accessToken, 'Bearer', Math.floor(Date.now() / 1000) - 60, second.refreshToken).toJson()
      const again = await TokenSource.restore(client, store, options)
      assert.equal(await mock.count('token'), 0)
      const fresh = await again.token()
      assert.notEqual(fresh.expose(), second.accessToken.expose())
      assert.equal(await mock.count('token'), 1)
      await until(() => kept(store).accessToken.expose() === fresh.expose(), 'the refreshed token saved')

      // A failing save reaches onError as `storage` (class name only); token() still works.
      const errors = []
      again.onError((err) => errors.push(err))
      store.fail = true
      await again.forceRefresh()
      await until(() => errors.length >= 1, 'the storage error')
      assert.deepEqual(errors.map((e) => e.code), ['storage'])
      assert.ok(!errors[0].message.includes('RT-leak'), errors[0].message)
      store.fail = false

      // invalid_grant clears the store; nothing is left to restore.
      await mock.control('/__next_error?error=invalid_grant')
      await assert.rejects(again.forceRefresh(), (e) => e.code === 'invalid_grant')
      await until(() => store.log.at(-1) === 'clear', 'the clear')
      assert.equal(store.log.at(-1), 'clear')
      assert.equal(store.json, null)
      await assert.rejects(TokenSource.restore(client, store), (e) => e.code === 'invalid_input' && !e.message.includes(fresh.expose()))
      assert.ok(!`${again} ${inspect(again)}`.includes(fresh.expose()))
    } finally {
      mock.stop()
    }
  })
}

test('a store without the methods is refused', async () => {
  await assert.rejects(TokenSource.restore(null, {}), (e) => e.code === 'invalid_input')
})
