//! The Lua scripts of the Redis session store: each operation that reads before it writes runs
//! alone on the server, so rotations and revocations never race.
//!
//! A session is a hash at `{prefix}s:{hex of the id's SHA-256}` (fields `handle`, `subject`,
//! `data`, `created`, `seen`, `expires`, `revoked`) that expires at the session's absolute end.
//! The index of a subject's live sessions is a sorted set at `{prefix}u:{subject}` (member: the
//! hex hash, score: the absolute end); every write to it first drops the members whose end has
//! passed and it expires with its last member, so it never outgrows the live sessions.

/// Adds session ARGV[1] (hex) to index KEYS[1] with score ARGV[2] (its end), dropping the
/// ended members (score <= ARGV[3], now) and keeping the index alive ARGV[4] ms at least.
const INDEX_ADD: &str = r"
local function index_add(idx, hex, ends, now, ttl)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now)
  redis.call('ZADD', idx, ends, hex)
  if redis.call('PTTL', idx) < tonumber(ttl) then redis.call('PEXPIRE', idx, ttl) end
end
";

/// Stores a session. KEYS: session, index. ARGV: handle, subject, data, created, seen, expires,
/// revoked ('' for none), ttl ms, hex. Returns 0 when the session exists (nothing written).
const INSERT_BODY: &str = r"
local function insert(key, idx, a, o)
  if redis.call('EXISTS', key) == 1 then return 0 end
  redis.call('HSET', key, 'handle', a[o], 'subject', a[o + 1], 'data', a[o + 2],
    'created', a[o + 3], 'seen', a[o + 4], 'expires', a[o + 5])
  if a[o + 6] ~= '' then redis.call('HSET', key, 'revoked', a[o + 6]) end
  redis.call('PEXPIRE', key, a[o + 7])
  if a[o + 6] == '' then index_add(idx, a[o + 8], a[o + 5], a[o + 4], a[o + 7]) end
  return 1
end
";

pub(super) fn insert() -> String {
    format!("{INDEX_ADD}{INSERT_BODY}return insert(KEYS[1], KEYS[2], ARGV, 1)")
}

/// KEYS: session. ARGV: at. Moves `seen` forward (never back, never creates).
pub(super) const TOUCH: &str = r"
local seen = redis.call('HGET', KEYS[1], 'seen')
if seen and tonumber(seen) < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'seen', ARGV[1])
end
return 0
";

/// KEYS: session. ARGV: at, index prefix, hex. Keeps an earlier revocation time; takes the
/// session out of its subject's index. Returns 0 when there is no such session.
pub(super) const REVOKE: &str = r"
local f = redis.call('HMGET', KEYS[1], 'subject', 'revoked')
if not f[1] then return 0 end
if not f[2] or tonumber(f[2]) > tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'revoked', ARGV[1])
end
redis.call('ZREM', ARGV[2] .. f[1], ARGV[3])
return 1
";

/// KEYS: index. ARGV: at, session prefix. Revokes every indexed live session; deletes the
/// index. Returns how many were revoked.
pub(super) const REVOKE_SUBJECT: &str = r"
local n = 0
for _, hex in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[2] .. hex
  if redis.call('EXISTS', key) == 1 and not redis.call('HGET', key, 'revoked') then
    redis.call('HSET', key, 'revoked', ARGV[1])
    n = n + 1
  end
end
redis.call('DEL', KEYS[1])
return n
";

/// KEYS: old session, new session, new index. ARGV: at, index prefix, old hex, then the
/// insert's arguments. Returns 1 (rotated), 0 (old absent or revoked: nothing written) or -1
/// (the new id exists: nothing written).
const ROTATE_BODY: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local f = redis.call('HMGET', KEYS[1], 'subject', 'revoked')
if not f[1] or f[2] then return 0 end
redis.call('HSET', KEYS[1], 'revoked', ARGV[1])
redis.call('ZREM', ARGV[2] .. f[1], ARGV[3])
return insert(KEYS[2], KEYS[3], ARGV, 4)
";

pub(super) fn rotate() -> String {
    format!("{INDEX_ADD}{INSERT_BODY}{ROTATE_BODY}")
}

/// KEYS: sessions. ARGV: now, idle seconds, index prefix. Deletes the revoked and timed-out
/// ones (and their index entries). Returns how many.
pub(super) const PURGE: &str = r"
local now, idle, n = tonumber(ARGV[1]), tonumber(ARGV[2]), 0
for i, key in ipairs(KEYS) do
  local f = redis.call('HMGET', key, 'subject', 'seen', 'expires', 'revoked')
  if f[1] and (f[4] or tonumber(f[3]) <= now or tonumber(f[2]) + idle <= now) then
    redis.call('DEL', key)
    redis.call('ZREM', ARGV[3] .. f[1], string.sub(key, -64))
    n = n + 1
  end
end
return n
";
