import builtins
import datetime as _dt
import ipaddress as _ipaddress
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Final, Literal, final

from ._token_store import TokenStore

__version__: Final[str]
ERROR_CODES: Final[list[str]]

@final
class Secret:
    """Token material whose ``repr``/``str`` are redacted. Read it with :meth:`expose`."""

    def __new__(cls, value: str) -> Secret: ...
    def expose(self) -> str:
        """The secret value (explicit on purpose)."""
    @property
    def fingerprint(self) -> str:
        """A short identifier of the secret, safe to log."""
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def fingerprint(secret: str) -> str:
    """A short identifier of a secret, safe to log (first 48 bits of SHA-256, base64url)."""

def certificate_thumbprint(certificate: bytes | bytearray | str) -> str:
    """RFC 8705 ``x5t#S256`` of a certificate (DER bytes or PEM): base64url SHA-256 of its DER."""

# --- JWT -------------------------------------------------------------------------------------

_Algorithm = Literal[
    "HS256",
    "HS384",
    "HS512",
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "EdDSA",
]
"""A JWS algorithm name (RFC 7518 / RFC 8037, case-sensitive; there is no ``none``). Parsed by
the core: any other string raises ``InvalidTokenError`` (code ``algorithm_not_allowed``)."""

@final
class JwtKey:
    """A JWS key bound to one algorithm family. ``repr`` never shows key material."""

    @staticmethod
    def hmac(secret: str | bytes, algorithm: _Algorithm) -> JwtKey: ...
    @staticmethod
    def from_pem(pem: str, algorithm: _Algorithm | None = None) -> JwtKey: ...
    @staticmethod
    def from_jwk(jwk: Mapping[str, Any] | str) -> JwtKey: ...
    @staticmethod
    def generate(algorithm: _Algorithm) -> JwtKey: ...
    def with_kid(self, kid: str) -> JwtKey: ...
    def with_algorithm(self, algorithm: _Algorithm) -> JwtKey:
        """The same key pinned to one algorithm of its family."""
    def to_jwk(self) -> dict[str, Any]: ...
    def to_public_pem(self) -> str: ...
    def to_private_pem(self) -> Secret: ...
    @property
    def kid(self) -> str | None: ...
    @property
    def algorithm(self) -> _Algorithm | None: ...
    @property
    def can_sign(self) -> bool: ...

@final
class KeySet:
    """Keys addressed by ``kid``. ``len(key_set)`` is the number of keys."""

    def __new__(cls, keys: Sequence[JwtKey] = ...) -> KeySet: ...
    @staticmethod
    def from_jwks(document: Mapping[str, Any] | str) -> KeySet: ...
    def insert(self, key: JwtKey) -> None:
        """Adds a key; a duplicate ``kid`` raises ``InvalidKeyError``."""
    def to_jwks(self) -> dict[str, Any]: ...
    @property
    def kids(self) -> list[str]:
        """The key ids, in insertion order (keys without ``kid`` are left out)."""
    def __len__(self) -> int: ...

@final
class RemoteKeySet:
    """A JWKS fetched from a URL and cached; pass it to ``RemoteJwtVerifier``.

    Durations are ``timedelta`` or seconds; ``None`` keeps the core default: ``ttl`` 10 min
    (without ``Cache-Control: max-age``), ``cooldown`` 30 s, ``max_stale`` 6 h, ``timeout`` 5 s.
    """

    def __new__(
        cls,
        jwks_url: str,
        *,
        ttl: timedelta | float | None = None,
        cooldown: timedelta | float | None = None,
        max_stale: timedelta | float | None = None,
        timeout: timedelta | float | None = None,
        dangerous_allow_http: bool = False,
    ) -> RemoteKeySet: ...
    @staticmethod
    def discover(
        issuer_url: str,
        *,
        ttl: timedelta | float | None = None,
        cooldown: timedelta | float | None = None,
        max_stale: timedelta | float | None = None,
        timeout: timedelta | float | None = None,
        dangerous_allow_http: bool = False,
    ) -> RemoteKeySet:
        """OpenID Connect discovery (blocking): the issuer's ``jwks_uri`` as a remote key set."""
    @property
    def url(self) -> str: ...
    @property
    def issuer(self) -> str | None: ...
    @property
    def fetch_count(self) -> int: ...
    def keys(self) -> KeySet: ...

@final
class JwtIssuer:
    """Signs claims with one key, setting iat/nbf/exp/jti/iss/aud and alg/typ/kid.

    ``None`` keeps the core default: the key's own algorithm, ``ttl`` 15 min, ``typ`` ``"JWT"``,
    the system clock.
    """

    def __new__(
        cls,
        key: JwtKey,
        *,
        algorithm: _Algorithm | None = None,
        issuer: str | None = None,
        audience: str | Sequence[str] | None = None,
        ttl: timedelta | float | None = None,
        typ: str | None = None,
        clock: ManualClock | None = None,
    ) -> JwtIssuer: ...
    def issue(
        self,
        claims: Mapping[str, Any] | None = None,
        *,
        ttl: timedelta | float | None = None,
        subject: str | None = None,
        audience: str | Sequence[str] | None = None,
    ) -> str: ...

@final
class JwtVerifier:
    """Verifies tokens strictly (RFC 8725) against local keys; build once and reuse.

    ``algorithms`` is required. ``None`` keeps the core default: ``leeway`` 60 s, no
    ``max_age``; ``max_token_size`` defaults to 16384 bytes and ``max_depth`` to 16.
    ``cache_size`` > 0 keeps up to that many verified tokens (keyed by a keyed hash of each;
    no token is stored): a cached token skips the signature check, its claims are checked on
    every call.
    """

    def __new__(
        cls,
        keys: KeySet | JwtKey | Mapping[str, Any] | str,
        *,
        algorithms: Sequence[_Algorithm],
        issuers: str | Sequence[str] | None = None,
        audiences: str | Sequence[str] | None = None,
        subject: str | None = None,
        leeway: timedelta | float | None = None,
        required_claims: Sequence[str] = ...,
        require_exp: bool = True,
        typ: str | None = None,
        max_age: timedelta | float | None = None,
        max_token_size: int = ...,
        max_depth: int = ...,
        clock: ManualClock | None = None,
        cache_size: int = 0,
    ) -> JwtVerifier: ...
    def verify(self, token: str) -> dict[str, Any]: ...
    def cache_len(self) -> int: ...

@final
class RemoteJwtVerifier:
    """Verifies tokens against a ``RemoteKeySet``, with the options of ``JwtVerifier``."""

    def __new__(
        cls,
        keys: RemoteKeySet,
        *,
        algorithms: Sequence[_Algorithm],
        issuers: str | Sequence[str] | None = None,
        audiences: str | Sequence[str] | None = None,
        subject: str | None = None,
        leeway: timedelta | float | None = None,
        required_claims: Sequence[str] = ...,
        require_exp: bool = True,
        typ: str | None = None,
        max_age: timedelta | float | None = None,
        max_token_size: int = ...,
        max_depth: int = ...,
        clock: ManualClock | None = None,
        cache_size: int = 0,
    ) -> RemoteJwtVerifier: ...
    def verify(self, token: str) -> dict[str, Any]:
        """Verifies ``token``, fetching keys when needed (blocking; the GIL is released)."""
    def verify_async(self, token: str) -> Awaitable[dict[str, Any]]:
        """With the keys cached, verified on the calling thread (the awaitable is already
        done); keys to fetch first are fetched on the library's runtime."""

def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims WITHOUT verification: for display and debugging only."""

# --- API keys -----------------------------------------------------------------------------


API_KEY_PATTERN: Final[str]

@final
class KeyRecord:
    """The stored description of an API key. Holds no secret material."""

    @property
    def id(self) -> str:
        """The public key id."""
    @property
    def prefix(self) -> str:
        """The key's prefix, e.g. ``tw_live``."""
    @property
    def display(self) -> str:
        """The display form, e.g. ``tw_live_a1B2c3D4…Wx9z``."""
    @property
    def owner(self) -> str:
        """The owner."""
    @property
    def scopes(self) -> list[str]:
        """The granted scopes."""
    @property
    def metadata(self) -> dict[str, str]:
        """Application metadata."""
    @property
    def created_at(self) -> _dt.datetime:
        """Creation time (aware UTC ``datetime``)."""
    @property
    def expires_at(self) -> _dt.datetime | None:
        """Expiry time, or None."""
    @property
    def revoked_at(self) -> _dt.datetime | None:
        """Revocation time, or None."""
    @property
    def last_used_at(self) -> _dt.datetime | None:
        """Last verification (coarse: at most one write per ``last_used_granularity``), or None."""
    @property
    def replaced_by(self) -> str | None:
        """The id of the key that replaced this one in a rotation, or None."""
    def has_scope(self, scope: str) -> bool:
        """Whether the key carries ``scope``."""
    def to_dict(self) -> dict[str, object]:
        """The record as a plain dict (times as ``datetime``, like the attributes)."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class IssuedKey:
    """A newly issued key: ``.secret`` (the only copy of the plaintext) and ``.record``."""

    @property
    def secret(self) -> Secret: ...
    @property
    def record(self) -> KeyRecord: ...

@final
class KeyInfo:
    """What ``ApiKeys.check_format`` learns from a key offline: prefix, id, display form."""

    @property
    def prefix(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def display(self) -> str: ...

@final
class ApiKeys:
    """Issues and verifies API keys of one prefix."""

    def __new__(
        cls,
        prefix: str,
        *,
        store: str | os.PathLike[str] | None = None,
        pepper: str | Secret | None = None,
        clock: ManualClock | None = None,
        last_used_granularity: timedelta | float | None = None,
    ) -> ApiKeys:
        """Keys with ``prefix``; ``store`` is ``"memory"`` (default), ``"sqlite:///path.db"`` or a
        file path; ``pepper`` (16+ bytes) keys an HMAC-SHA-256 of every stored key;
        ``last_used_granularity`` (default 60 s) bounds how often verify writes the last use."""
    @staticmethod
    def check_format(key: str | Secret) -> KeyInfo:
        """Checks shape and checksum offline (any prefix, no store)."""
    @property
    def prefix(self) -> str:
        """The prefix of the keys this instance issues and accepts."""
    @property
    def pattern(self) -> str:
        """The regular expression matching this instance's keys."""
    def create(
        self,
        owner: str,
        *,
        scopes: Sequence[str] = ...,
        expires_in: timedelta | float | None = None,
        metadata: Mapping[str, str] = ...,
    ) -> IssuedKey:
        """Issues a new key."""
    def verify(self, key: str | Secret) -> KeyRecord:
        """Verifies a key (``str`` or ``Secret``) and returns its record. Releases the GIL."""
    def get(self, id: str) -> KeyRecord:
        """The record of key ``id``."""
    def revoke(self, id: str) -> KeyRecord:
        """Revokes key ``id`` at once."""
    def rotate(self, id: str, *, overlap: timedelta | float) -> IssuedKey:
        """Issues a successor of key ``id``; the old key stays valid for ``overlap``."""
    def list(self, owner: str) -> builtins.list[KeyRecord]:
        """Every key of ``owner``, oldest first."""

# --- sessions (issue 18) ---

@final
class SessionCookie:
    """How the session cookie is written; the defaults are the safe ones (``__Host-tw_session``,
    Secure, HttpOnly, SameSite=Lax, Path=/, no Domain). ``Sessions`` checks the combination."""

    def __new__(
        cls,
        *,
        name: str | None = None,
        secure: bool = True,
        http_only: bool = True,
        same_site: Literal["lax", "strict", "none"] | str = "lax",
        path: str = "/",
        domain: str | None = None,
        dangerous_allow_insecure: bool = False,
    ) -> SessionCookie: ...
    @property
    def name(self) -> str:
        """The cookie name."""

@final
class SessionRecord:
    """A stored session. Holds no secret material (``handle`` is a fingerprint of the id)."""

    @property
    def handle(self) -> str:
        """Public identifier of the session, safe to log."""
    @property
    def subject(self) -> str:
        """Whom the session belongs to."""
    @property
    def data(self) -> dict[str, str]:
        """Application data."""
    @property
    def created_at(self) -> _dt.datetime:
        """Creation time (aware UTC ``datetime``)."""
    @property
    def last_seen_at(self) -> _dt.datetime:
        """Last use."""
    @property
    def idle_expires_at(self) -> _dt.datetime:
        """The idle deadline."""
    @property
    def expires_at(self) -> _dt.datetime:
        """The absolute deadline."""
    @property
    def revoked_at(self) -> _dt.datetime | None:
        """Revocation time, or None."""
    def to_dict(self) -> dict[str, object]:
        """The record as a plain dict."""

@final
class IssuedSession:
    """A new session: ``.id`` (a ``Secret``, the only copy: put it in the cookie) and ``.record``."""

    @property
    def id(self) -> Secret: ...
    @property
    def record(self) -> SessionRecord: ...

@final
class Sessions:
    """Server-side sessions: ids of 256 random bits stored hashed, idle and absolute timeouts,
    rotation, revocation, CSRF tokens and a safe cookie. ``store``: ``"memory"`` (default),
    ``"sqlite:///path.db"`` or a file path, ``"redis://…"`` / ``"rediss://…"`` or
    ``"postgres://…"`` (shared by every instance using that server)."""

    def __new__(
        cls,
        *,
        store: str | None = None,
        idle_timeout: timedelta | float | None = None,
        absolute_timeout: timedelta | float | None = None,
        csrf_secret: str | Secret | None = None,
        cookie: SessionCookie | None = None,
        clock: ManualClock | None = None,
    ) -> Sessions: ...
    def create(self, subject: str, data: Mapping[str, str] | None = None) -> IssuedSession:
        """Starts a session for ``subject``."""
    def verify(self, id: str | Secret) -> SessionRecord:
        """Checks session ``id`` (``str`` or ``Secret``) and records the use."""
    def rotate(
        self,
        id: str | Secret,
        *,
        subject: str | None = None,
        data: Mapping[str, str] | None = None,
    ) -> IssuedSession:
        """Replaces session ``id`` with a new id (login, privilege change); the old one is revoked."""
    def revoke(self, id: str | Secret) -> bool:
        """Ends session ``id``; whether there was one."""
    def revoke_subject(self, subject: str) -> int:
        """Ends every live session of ``subject``; how many."""
    def purge(self) -> int:
        """Deletes revoked and timed-out sessions; how many."""
    def csrf_token(self, id: str | Secret) -> str:
        """The CSRF token of session ``id``."""
    def verify_csrf(self, id: str | Secret, token: str) -> None:
        """Raises ``AuthorizationError`` (code ``invalid_csrf_token``) unless ``token`` is session ``id``'s CSRF token."""
    def set_cookie(self, id: str | Secret) -> str:
        """The ``Set-Cookie`` header value carrying session ``id``."""
    def clear_cookie(self) -> str:
        """The ``Set-Cookie`` header value that deletes the session cookie."""
    @property
    def cookie_name(self) -> str:
        """The session cookie's name."""

# --- redaction (issue 6) ---

def redact(text: str) -> str:
    """Returns ``text`` with every recognised secret replaced by ``[REDACTED:<kind>:<fingerprint>]``."""

@final
class Redactor:
    """A configured scrubber: extra sensitive field names, extra patterns (``{kind: regex}``;
    group 1 is redacted when present) and the replacement style (``"fingerprint"``, ``"kind"``,
    ``"plain"`` or a template with ``{kind}`` / ``{fingerprint}``)."""

    def __new__(
        cls,
        *,
        names: list[str] | None = None,
        patterns: dict[str, str] | None = None,
        replacement: Literal["fingerprint", "kind", "plain"] | str = "fingerprint",
        max_line: int | None = None,
    ) -> Redactor:
        """``max_line``: the longest line a stream keeps in memory, in bytes (default 1 MiB, at
        least 1024; smaller values raise ``InvalidInputError``)."""
    def redact(self, text: str) -> str:
        """Returns ``text`` with every recognised secret replaced."""
    def redact_bytes(self, data: bytes) -> bytes:
        """Redacts bytes that may not be UTF-8."""
    def stream(self) -> RedactStream:
        """A stream that redacts chunks of any size with bounded memory."""

@final
class RedactStream:
    """Incremental redaction: ``push(chunk)`` returns the redacted completed lines, ``finish()``
    the rest. Output is identical to ``Redactor.redact`` on the whole input."""

    def push(self, chunk: bytes) -> bytes:
        """Consumes ``chunk``; returns the redacted bytes that are ready."""
    def finish(self) -> bytes:
        """Flushes the unfinished last line; the stream cannot be used afterwards."""

# --- OAuth 2.0 client and refreshing token source -------------------------------------------


_AuthMethod = Literal[
    "client_secret_basic", "client_secret_post", "private_key_jwt", "none", "tls_client_auth",
    "self_signed_tls_client_auth",
]
_TokenTypeHint = Literal["access_token", "refresh_token"]
_TokenSourceStatus = Literal["empty", "ready", "retrying", "reauthentication_required", "closed"]

@final
class AccessToken:
    """An access token; ``repr``/``str`` are redacted, ``expose()`` gives the string."""

    def expose(self) -> str:
        """The token string, for an ``Authorization`` header (explicit on purpose)."""
    def authorization_header(self) -> str:
        """The ``Authorization`` header value: ``DPoP <token>`` for a DPoP-bound token, else
        ``Bearer <token>``."""
    @property
    def expires_at(self) -> _dt.datetime | None:
        """Expiry (aware UTC ``datetime``), or ``None`` when the server gave no lifetime."""
    @property
    def scopes(self) -> list[str]:
        """The granted scopes."""
    @property
    def token_type(self) -> str:
        """The token type (``Bearer``, ...)."""
    @property
    def fingerprint(self) -> str:
        """A short identifier of the token, safe to log."""
    @property
    def is_dpop(self) -> bool:
        """Whether this is a DPoP-bound token (``token_type: DPoP``)."""
    def request_headers(self, method: str, url: str, nonce: str | None = None) -> dict[str, str]:
        """The headers for a resource request: ``Authorization`` (``Bearer``/``DPoP``) and, for a
        DPoP-bound token, a ``DPoP`` proof with ``ath`` (and ``nonce``, given or remembered for
        the origin). The values hold the token: send them, never log them."""
    def remember_dpop_nonce(self, url: str, nonce: str) -> None:
        """Remembers a resource server's ``DPoP-Nonce`` (from any answer, a 200 too) for ``url``'s
        origin: the next proof to it carries the nonce. Nothing happens for a bearer token or
        an invalid nonce. The HTTP hooks call it on every answer."""

@final
class TokenResponse:
    """A token-endpoint answer; ``refresh_token`` may be a rotated one."""

    @property
    def access_token(self) -> AccessToken: ...
    @property
    def refresh_token(self) -> Secret | None: ...
    @property
    def id_token(self) -> Secret | None: ...
    @property
    def expires_in(self) -> timedelta | None:
        """The lifetime announced by the server, or ``None``."""
    @property
    def id_token_claims(self) -> dict[str, Any] | None:
        """The verified ID token claims (set by ``AuthorizationFlow.complete`` for ``openid``)."""

@final
class Pkce:
    """A PKCE (RFC 7636, S256) verifier and its challenge; the repr shows the challenge only."""

    @staticmethod
    def generate() -> Pkce:
        """A fresh random verifier (43 characters) and its challenge."""
    @staticmethod
    def from_verifier(verifier: str) -> Pkce:
        """Wraps an existing verifier (43-128 unreserved characters)."""
    @property
    def verifier(self) -> Secret: ...
    @property
    def challenge(self) -> str: ...
    @property
    def method(self) -> Literal["S256"]: ...
    def authorization_url(
        self,
        authorize_url: str,
        client_id: str,
        redirect_uri: str,
        state: str,
        scopes: list[str] | None = None,
    ) -> str:
        """The URL to open in the browser (the same argument order in every language)."""

@final
class Introspection:
    """The answer of an introspection endpoint (RFC 7662): the fields of Kotlin/Swift's
    ``Introspection`` record, ``claims`` for every member. Truthy when ``active``."""

    @property
    def active(self) -> bool:
        """Whether the token is currently active; when ``False`` nothing else is meaningful."""
    @property
    def scopes(self) -> list[str]:
        """The token's scopes (``scope``, split)."""
    @property
    def client_id(self) -> str | None:
        """``client_id``, or ``None``."""
    @property
    def username(self) -> str | None:
        """``username``, or ``None``."""
    @property
    def subject(self) -> str | None:
        """``sub``, or ``None``."""
    @property
    def expires_at(self) -> _dt.datetime | None:
        """``exp`` as an aware UTC ``datetime``, or ``None``."""
    @property
    def claims(self) -> dict[str, Any]:
        """Every member of the answer, as a new dict."""
    def to_dict(self) -> dict[str, Any]:
        """The answer as the server sent it (a new dict; what ``introspect`` returned before 0.2)."""
    def __bool__(self) -> bool: ...

@final
class IdTokenVerifier:
    """Verifies OpenID Connect ID tokens of one provider for one client (signature with an
    asymmetric algorithm, ``iss``, ``aud``, ``azp``, ``exp``/``iat``; per login ``nonce``,
    ``max_age``, ``at_hash``, ``c_hash``)."""

    def __new__(
        cls,
        issuer: str,
        client_id: str,
        keys: KeySet | RemoteKeySet,
        *,
        algorithms: list[_Algorithm] | None = None,
        leeway: timedelta | float | None = None,
        clock: ManualClock | None = None,
    ) -> IdTokenVerifier: ...
    @staticmethod
    def for_client(
        client: OAuthClient,
        *,
        algorithms: list[_Algorithm] | None = None,
        leeway: timedelta | float | None = None,
    ) -> IdTokenVerifier:
        """The discovered provider's issuer, keys and algorithms."""
    @property
    def issuer(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def algorithms(self) -> list[_Algorithm]: ...
    def verify(
        self,
        id_token: str | Secret,
        *,
        nonce: str | Secret | None = None,
        max_age: timedelta | float | None = None,
        access_token: str | Secret | None = None,
        code: str | Secret | None = None,
    ) -> dict[str, Any]:
        """Verifies the ID token and returns its claims; blocking, GIL released. Refusals:
        ``invalid_nonce``, ``invalid_audience``, ``expired``, ``invalid_claim``, ..."""

@final
class AuthorizationFlow:
    """One login attempt of an app: authorization code with PKCE S256, a generated ``state``,
    an OpenID Connect ``nonce`` (with the ``openid`` scope) and RFC 9207 ``iss`` checking."""

    def __new__(
        cls,
        client: OAuthClient,
        redirect_uri: str,
        *,
        scopes: list[str] | None = None,
        max_age: timedelta | float | None = None,
        id_token_verifier: IdTokenVerifier | None = None,
        pushed_authorization_url: str | None = None,
        require_pushed_authorization: bool = False,
    ) -> AuthorizationFlow:
        """Makes no request: raises ``invalid_input`` when the flow must be pushed (use
        ``start``)."""
    @staticmethod
    def start(
        client: OAuthClient,
        redirect_uri: str,
        *,
        scopes: list[str] | None = None,
        max_age: timedelta | float | None = None,
        id_token_verifier: IdTokenVerifier | None = None,
        pushed_authorization_url: str | None = None,
        require_pushed_authorization: bool = False,
    ) -> AuthorizationFlow:
        """The flow, pushed first (RFC 9126) when the server has a PAR endpoint (discovered,
        or ``pushed_authorization_url``); blocking, GIL released. ``invalid_input`` when pushing
        is required and no endpoint is known."""
    @classmethod
    def start_async(
        cls,
        client: OAuthClient,
        redirect_uri: str,
        *,
        scopes: list[str] | None = None,
        max_age: timedelta | float | None = None,
        id_token_verifier: IdTokenVerifier | None = None,
        pushed_authorization_url: str | None = None,
        require_pushed_authorization: bool = False,
    ) -> Awaitable[AuthorizationFlow]: ...
    @property
    def authorization_url(self) -> str:
        """The URL to open in the browser."""
    @property
    def request_uri(self) -> str | None:
        """The ``request_uri`` of the pushed authorization request, or ``None``."""
    @property
    def redirect_uri(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def nonce(self) -> str | None: ...
    @property
    def scopes(self) -> list[str]: ...
    def complete(self, redirect_url: str) -> TokenResponse:
        """Checks the redirect (redirect URI, ``iss``, ``state``, ``error``) and exchanges the
        code; blocking, GIL released. Refusals: ``invalid_state``, ``invalid_issuer``,
        ``access_denied``, ``interaction_required``, ..."""
    def complete_async(self, redirect_url: str) -> Awaitable[TokenResponse]: ...

@final
class LoopbackRedirect:
    """The redirect of a CLI or desktop login (RFC 8252 section 7.3): listens on 127.0.0.1 on
    an ephemeral port. Give ``redirect_uri`` to the ``AuthorizationFlow``, open its URL, then
    ``complete(flow)``: one ``GET /callback`` is answered with a page saying the browser can be
    closed (other paths: 404, the wait goes on), then the listener closes."""
    def __new__(cls) -> LoopbackRedirect: ...
    @property
    def redirect_uri(self) -> str:
        """``http://127.0.0.1:PORT/callback``."""
    @property
    def port(self) -> int: ...
    def complete(
        self, flow: AuthorizationFlow, timeout: timedelta | float | None = None
    ) -> TokenResponse:
        """Waits (default 300 s, then ``TimeoutError`` code ``timeout``) for the redirect and
        completes ``flow`` with it; blocking, GIL released, Ctrl-C interrupts."""
    def complete_async(
        self, flow: AuthorizationFlow, timeout: timedelta | float | None = None
    ) -> Awaitable[TokenResponse]: ...

@final
class OAuthClient:
    """An OAuth 2.0 client. ``auth_method`` unset: ``private_key_jwt`` with ``private_key``,
    else ``client_secret_basic``. ``timeout`` (default 5 s) bounds every request. With
    ``dpop_key`` every token request carries a DPoP proof (one retry on ``use_dpop_nonce``),
    ``token_type: DPoP`` answers are DPoP-bound tokens and authorization URLs carry
    ``dpop_jkt``."""

    def __new__(
        cls,
        token_url: str,
        client_id: str,
        client_secret: str | Secret | None = None,
        *,
        auth_method: _AuthMethod | None = None,
        private_key: JwtKey | None = None,
        introspection_url: str | None = None,
        revocation_url: str | None = None,
        authorization_url: str | None = None,
        timeout: timedelta | float | None = None,
        dpop_key: DpopKey | None = None,
        client_certificate: str | None = None,
        client_certificate_key: str | Secret | None = None,
        ca_certificates: str | None = None,
        issuer: str | None = None,
    ) -> OAuthClient: ...
    @staticmethod
    def discover(
        issuer_url: str,
        client_id: str,
        client_secret: str | Secret | None = None,
        *,
        auth_method: _AuthMethod | None = None,
        private_key: JwtKey | None = None,
        introspection_url: str | None = None,
        revocation_url: str | None = None,
        authorization_url: str | None = None,
        timeout: timedelta | float | None = None,
        dpop_key: DpopKey | None = None,
        client_certificate: str | None = None,
        client_certificate_key: str | Secret | None = None,
        ca_certificates: str | None = None,
        issuer: str | None = None,
    ) -> OAuthClient:
        """Discovers the server's endpoints (RFC 8414, then OIDC); blocking, GIL released.
        Endpoints given here win over the discovered ones."""
    @property
    def token_url(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def auth_method(self) -> _AuthMethod: ...
    @property
    def authorization_url(self) -> str | None: ...
    @property
    def issuer(self) -> str | None:
        """The issuer: configured (``issuer=``, the ``private_key_jwt`` audience) or found by discovery."""
    @property
    def jwks_uri(self) -> str | None:
        """The server's ``jwks_uri`` found by discovery."""
    def client_credentials(self, scopes: list[str] | None = None) -> TokenResponse:
        """The client-credentials grant."""
    def refresh(self, refresh_token: str | Secret, scopes: list[str] | None = None) -> TokenResponse:
        """The refresh-token grant; keep the answer's ``refresh_token`` when present."""
    def exchange_code(self, code: str | Secret, redirect_uri: str, pkce: Pkce | None = None) -> TokenResponse:
        """Exchanges an authorization code, with its PKCE verifier."""
    def introspect(self, token: str | Secret, token_type_hint: _TokenTypeHint | None = None) -> Introspection:
        """RFC 7662 introspection: an ``Introspection`` (its ``claims`` hold the whole answer)."""
    def revoke(self, token: str | Secret, token_type_hint: _TokenTypeHint | None = None) -> None:
        """RFC 7009 revocation."""
    # The *_async methods run the request on the library's runtime (no thread hop);
    # cancelling the awaiting task abandons it. Refusals raise as in the blocking methods.
    def client_credentials_async(self, scopes: list[str] | None = None) -> Awaitable[TokenResponse]: ...
    def refresh_async(
        self, refresh_token: str | Secret, scopes: list[str] | None = None
    ) -> Awaitable[TokenResponse]: ...
    def exchange_code_async(
        self, code: str | Secret, redirect_uri: str, pkce: Pkce | None = None
    ) -> Awaitable[TokenResponse]: ...
    def introspect_async(
        self, token: str | Secret, token_type_hint: _TokenTypeHint | None = None
    ) -> Awaitable[Introspection]: ...
    def revoke_async(
        self, token: str | Secret, token_type_hint: _TokenTypeHint | None = None
    ) -> Awaitable[None]: ...

def token_rejected(status: int, www_authenticate: str | None = None) -> bool:
    """Whether a response with ``status`` and ``www_authenticate`` (the ``WWW-Authenticate``
    values joined by ``", "``) says the access token sent was rejected (401 with
    ``error="invalid_token"`` or no Bearer error), so one refresh and one retry may help."""

_RetryKind = Literal["no_retry", "refresh_and_retry", "retry_with_nonce"]

@final
class RetryAction:
    """What an HTTP hook does with an answer: see ``retry_action``."""

    @property
    def kind(self) -> _RetryKind: ...
    @property
    def nonce(self) -> str | None:
        """The nonce to retry with (``retry_with_nonce``), else ``None``."""

def retry_action(status: int, www_authenticate: str | None = None, dpop_nonce: str | None = None) -> RetryAction:
    """What an HTTP hook does with an answer: ``retry_with_nonce`` for a 401 DPoP
    ``use_dpop_nonce`` challenge with a ``DPoP-Nonce``, ``refresh_and_retry`` when the token
    was rejected (``token_rejected``), else ``no_retry``. Hooks retry at most once."""

@final
class TokenSource:
    """An access token that is always valid when asked for: background refresh ahead of
    expiry, single-flight, backoff on transient failures, ``invalid_grant`` terminal."""

    @staticmethod
    def client_credentials(
        client: OAuthClient,
        scopes: list[str] | None = None,
        *,
        options: TokenSourceOptions | None = None,
    ) -> TokenSource: ...
    @staticmethod
    def from_refresh_token(
        client: OAuthClient,
        refresh_token: str | Secret,
        scopes: list[str] | None = None,
        *,
        options: TokenSourceOptions | None = None,
    ) -> TokenSource: ...
    @staticmethod
    def from_token_response(
        client: OAuthClient,
        token_response: TokenResponse,
        scopes: list[str] | None = None,
        *,
        fallback: Literal["client_credentials"] | None = None,
        options: TokenSourceOptions | None = None,
    ) -> TokenSource:
        """A source seeded with ``token_response``; it refreshes with the response's refresh
        token, or, when it has none, with the ``fallback`` grant for ``scopes``; without
        either, ``InvalidInputError``."""
    @staticmethod
    def restore(
        client: OAuthClient,
        store: TokenStore,
        *,
        options: TokenSourceOptions | None = None,
    ) -> TokenSource:
        """A source started from the tokens kept in ``store``, kept there from then on: no
        request while the kept access token is usable. Nothing kept: ``InvalidInputError``."""
    def keep_tokens(self, store: TokenStore) -> None:
        """Keeps the tokens in ``store``: the current one now, every rotation, ``clear()`` on
        ``invalid_grant``; later store failures go to ``on_error`` with code ``storage``."""
    def token(self) -> AccessToken:
        """A valid token (blocking; the GIL is released while waiting)."""
    def token_async(self) -> Awaitable[AccessToken]:
        """A usable token is answered on the calling thread (the awaitable is already done);
        otherwise the request runs on the library's runtime."""
    def force_refresh(self) -> AccessToken:
        """Requests a new token now (e.g. after a 401)."""
    def force_refresh_async(self) -> Awaitable[AccessToken]:
        """``force_refresh`` on the library's runtime."""
    def on_refresh(self, hook: Callable[[TokenResponse], object]) -> None: ...
    def on_error(self, hook: Callable[[str, str], object]) -> None: ...
    @property
    def status(self) -> _TokenSourceStatus: ...
    @property
    def request_count(self) -> int: ...
    @property
    def last_error_code(self) -> str | None:
        """The code of the last failed request while retrying or terminal, else ``None``."""
    def close(self) -> None: ...
    def __enter__(self) -> TokenSource: ...
    def __exit__(self, _a: object, _b: object, _c: object) -> None: ...

@final
class StoredTokens:
    """The tokens a ``TokenStore`` keeps; ``repr``/``str`` are redacted, ``to_json()`` is not."""

    def __new__(
        cls,
        access_token: str | Secret,
        token_type: str,
        expires_at: int,
        refresh_token: str | Secret | None = None,
        scopes: list[str] | None = None,
        id_token: str | Secret | None = None,
    ) -> StoredTokens: ...
    @staticmethod
    def from_json(json: str) -> StoredTokens:
        """Reads the versioned JSON form; refusals raise ``InvalidTokenError`` with code
        ``malformed`` (``token_too_large`` over 64 KiB)."""
    def to_json(self) -> str:
        """The versioned JSON form ``{"v":1,...}``; it holds the tokens: secure storage only."""
    @property
    def access_token(self) -> Secret: ...
    @property
    def token_type(self) -> str: ...
    @property
    def expires_at(self) -> int:
        """The access token's expiry, Unix seconds."""
    @property
    def refresh_token(self) -> Secret | None: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def id_token(self) -> Secret | None: ...

# --- in-process gateway (issue 7) -----------------------------------------------------------


_HeaderText = str | bytes
_Headers = Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[_HeaderText, _HeaderText]]
_RevocationKind = Literal["jti", "key_id", "subject"]
_ForwardedHeader = Literal["x-forwarded-for", "forwarded"]

@final
class ManualClock:
    """A clock that only moves when told to; pass it as ``clock=`` to test expiry and limits."""

    def __new__(cls, at: _dt.datetime | float) -> ManualClock:
        """A clock stopped at ``at`` (an aware ``datetime`` or Unix seconds)."""
    def advance(self, by: _dt.timedelta | float) -> None:
        """Moves the clock forward."""
    def set(self, at: _dt.datetime | float) -> None:
        """Sets the clock (an aware ``datetime`` or Unix seconds)."""
    def now(self) -> _dt.datetime:
        """The current time, an aware UTC ``datetime``."""

_DpopAlgorithm = Literal["ES256", "EdDSA"]

@final
class DpopKey:
    """A DPoP key pair (RFC 9449). ``repr`` shows the algorithm and thumbprint only."""

    @staticmethod
    def generate(algorithm: _DpopAlgorithm = "ES256") -> DpopKey:
        """A new key pair."""
    @staticmethod
    def from_private_key(pem: str | Secret) -> DpopKey:
        """The key from the PKCS#8 PEM ``export_private_key()`` returned."""
    def export_private_key(self) -> Secret:
        """The private key as PKCS#8 PEM (the one way out)."""
    @property
    def algorithm(self) -> _DpopAlgorithm: ...
    @property
    def thumbprint(self) -> str:
        """The RFC 7638 thumbprint (``jkt``)."""
    def public_jwk(self) -> dict[str, str]: ...
    def proof(
        self,
        method: str,
        url: str,
        *,
        access_token: str | Secret | None = None,
        nonce: str | None = None,
        clock: ManualClock | None = None,
    ) -> str:
        """A DPoP proof for one request."""

@final
class DpopVerifier:
    """Verifies DPoP proofs; holds the ``jti`` replay cache."""

    def __new__(
        cls,
        *,
        algorithms: Sequence[str] | None = None,
        max_age: _dt.timedelta | float | None = None,
        leeway: _dt.timedelta | float | None = None,
        replay_cache_size: int | None = None,
        nonce_lifetime: _dt.timedelta | float | None = None,
        clock: ManualClock | None = None,
        replay_cache_store: str | None = None,
    ) -> DpopVerifier:
        """``replay_cache_store``: ``"memory"`` (default) or ``"redis://..."`` to share the
        ``jti`` replay cache between instances (fails closed when Redis cannot answer)."""
    def verify(
        self,
        proof: str,
        method: str,
        url: str,
        *,
        access_token: str | Secret | None = None,
        jkt: str | None = None,
    ) -> dict[str, Any]:
        """``{"jkt", "jti", "iat"}``; raises ``invalid_dpop_proof`` / ``use_dpop_nonce``."""
    def nonce(self) -> str | None:
        """The ``DPoP-Nonce`` to send now."""
    @property
    def replay_cache_len(self) -> int: ...

@final
class RateLimit:
    """``rate`` requests per ``period`` (default one second, the core's
    ``DEFAULT_RATE_LIMIT_PERIOD``), in bursts of up to ``burst``."""

    def __new__(cls, rate: int, *, burst: int, period: _dt.timedelta | float | None = None) -> RateLimit: ...
    @staticmethod
    def per_second(rate: int, burst: int) -> RateLimit: ...
    @staticmethod
    def per_minute(rate: int, burst: int) -> RateLimit: ...
    @property
    def rate(self) -> int: ...
    @property
    def period(self) -> _dt.timedelta: ...
    @property
    def burst(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class RevocationList:
    """A bounded, expiring revocation list by ``jti``, API key id or subject. ``max_entries``
    defaults to 1 000 000 (the core's ``DEFAULT_MAX_REVOCATIONS``); 0 raises
    ``InvalidInputError``. ``store``: ``"memory"`` (default, this process) or ``"redis://…"``
    (shared; checks fail closed unless ``fail_open``)."""

    def __new__(
        cls,
        *,
        max_entries: int = ...,
        clock: ManualClock | None = None,
        store: str | None = None,
        fail_open: bool = False,
    ) -> RevocationList: ...
    def revoke(self, kind: _RevocationKind, id: str, until: int | float | _dt.datetime) -> None:
        """Revokes ``id`` of ``kind`` until ``until`` (in the future; a ``jti``'s ``exp`` is enough)."""
    def unrevoke(self, kind: _RevocationKind, id: str) -> bool: ...
    def is_revoked(self, kind: _RevocationKind, id: str) -> bool: ...
    def purge(self) -> int: ...
    def __len__(self) -> int: ...

@final
class Principal:
    """An authenticated and authorized caller: truthy, ``ok`` is ``True``."""

    @property
    def ok(self) -> Literal[True]: ...
    @property
    def kind(self) -> str:
        """``"api_key"``, ``"jwt"``, ``"introspected"`` (an opaque token, RFC 7662) or ``"session"``."""
    @property
    def subject(self) -> str: ...
    @property
    def key_id(self) -> str | None: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def claims(self) -> dict[str, Any]: ...
    @property
    def rate_limit_remaining(self) -> int | None: ...
    def has_scope(self, scope: str) -> bool: ...
    def __bool__(self) -> Literal[True]: ...

@final
class Refusal:
    """A refused request: falsy, ``ok`` is ``False``. Send ``status``, ``headers()`` and
    ``body()``; log ``code``."""

    @property
    def ok(self) -> Literal[False]: ...
    @property
    def code(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def www_authenticate(self) -> str | None: ...
    @property
    def dpop_nonce(self) -> str | None:
        """The ``DPoP-Nonce`` of a ``use_dpop_nonce`` refusal."""
    @property
    def retry_after(self) -> _dt.timedelta | None:
        """How long the client should wait (``Retry-After``, whole seconds)."""
    @property
    def error(self) -> str:
        """The error name safe to show a client."""
    @property
    def error_description(self) -> str:
        """A fixed description of ``error`` that reveals nothing beyond it."""
    def headers(self) -> dict[str, str]:
        """``WWW-Authenticate`` and ``Retry-After`` when they apply."""
    def body(self) -> bytes:
        """``{"error": ..., "error_description": ...}`` as JSON bytes."""
    def __bool__(self) -> Literal[False]: ...

@final
class Threshold:
    """``count`` occurrences within ``window``; a count of 0 or an empty window raises
    ``InvalidInputError``."""

    def __new__(cls, count: int, window: _dt.timedelta | float) -> Threshold: ...
    @property
    def count(self) -> int: ...
    @property
    def window(self) -> _dt.timedelta: ...

@final
class Lockout:
    """Lock an address or a credential out for ``duration`` after ``failures`` refused
    credentials; an empty duration raises ``InvalidInputError``."""

    def __new__(cls, failures: Threshold, duration: _dt.timedelta | float) -> Lockout: ...
    @property
    def failures(self) -> Threshold: ...
    @property
    def duration(self) -> _dt.timedelta: ...

@final
class AbuseDetection:
    """Abuse detection for ``Authenticator(abuse_detection=...)`` (docs/abuse.md). Every signal
    is on at its default unless given; ``None`` turns it off. Defaults: lockout after 10
    failures in 5 min for 15 min; enumeration 20 distinct credentials per address a minute;
    distributed failures 5 addresses per credential in 10 min; key spread 50 addresses per key
    an hour; scope escalation 5 ``insufficient_scope`` in 10 min."""

    def __new__(
        cls,
        *,
        lockout: Lockout | None = ...,
        enumeration: Threshold | None = ...,
        distributed_failures: Threshold | None = ...,
        key_spread: Threshold | None = ...,
        scope_escalation: Threshold | None = ...,
        store: str = ...,
        store_fail_open: bool = True,
    ) -> AbuseDetection: ...

@final
class AuditLog:
    """Writes every audit event as one line of ECS JSON (docs/audit.md) to ``"stdout"``,
    ``"stderr"`` or ``"file:///absolute/path"`` (created with mode 0600) until ``cancel()``."""

    @staticmethod
    def open(target: str) -> AuditLog: ...
    def cancel(self) -> None: ...
    def written(self) -> int: ...
    def failed(self) -> int: ...

@final
class Telemetry:
    """The OpenTelemetry providers ``enable_telemetry`` installed (docs/telemetry.md). They stay
    installed when this object is garbage-collected; ``shutdown()`` uninstalls them."""

    def flush(self) -> None: ...
    def shutdown(self) -> None: ...

def enable_telemetry(
    endpoint: str,
    *,
    service_name: str | None = None,
    protocol: Literal["http/protobuf", "http/json"] = "http/protobuf",
    headers: Mapping[str, str] | None = None,
    export_interval: timedelta | float | None = None,
    timeout: timedelta | float | None = None,
) -> Telemetry:
    """Exports tokenward's metrics (decisions by outcome and code, their duration, JWT
    verifications) and spans (token endpoint, JWKS, discovery, introspection, revocation, PAR)
    over OTLP/HTTP to the collector at ``endpoint`` (``http://localhost:4318``). Off until
    called. ``export_interval`` defaults to 60 s, ``timeout`` to 10 s."""

@final
class Authenticator:
    """The in-process gateway: build once, ``authenticate`` per request (thread-safe).

    Defaults (the core's ``DEFAULT_*``): ``realm`` ``"api"``, ``api_key_header``
    ``"x-api-key"`` (``None`` turns the header off), ``max_header_len`` 8192,
    ``forwarded_header`` ``"x-forwarded-for"`` (read only from ``trusted_proxies``),
    ``failure_rate_limit`` on (bursts of 20, then 10 a minute), ``max_tracked`` 100 000,
    ``introspection_cache_ttl`` 60 s, ``introspection_negative_ttl`` 10 s,
    ``introspection_cache_size`` 10 000, ``introspection_rate_limit`` 50/s in bursts of 100,
    ``introspection_max_inflight`` 32."""

    def __new__(
        cls,
        *,
        api_keys: ApiKeys | None = None,
        jwt: JwtVerifier | None = None,
        ip_allow: Sequence[str] = ...,
        ip_deny: Sequence[str] = ...,
        trusted_proxies: Sequence[str] = ...,
        forwarded_header: _ForwardedHeader = ...,
        rate_limit: RateLimit | None = None,
        ip_rate_limit: RateLimit | None = None,
        failure_rate_limit: RateLimit | None = None,
        plans: Mapping[str, RateLimit] = ...,
        rate_limit_overrides: Mapping[str, RateLimit] = ...,
        revocations: RevocationList | None = None,
        realm: str = ...,
        api_key_header: str | None = ...,
        query_param: str | None = None,
        cookie: str | None = None,
        max_header_len: int = ...,
        clock: ManualClock | None = None,
        max_tracked: int = ...,
        introspection: OAuthClient | None = None,
        introspection_cache_ttl: _dt.timedelta | float | None = None,
        introspection_negative_ttl: _dt.timedelta | float | None = None,
        introspection_cache_size: int = ...,
        introspection_rate_limit: RateLimit | None = None,
        introspection_max_inflight: int = ...,
        rate_limit_store: str | None = None,
        rate_limit_store_fail_open: bool = True,
        sessions: Sessions | None = None,
        dpop: DpopVerifier | None = None,
        dpop_origin: str | None = None,
        abuse_detection: AbuseDetection | None = None,
        request_id_header: str | None = None,
        remote_jwt: RemoteJwtVerifier | None = None,
        mtls_bound_tokens: bool = False,
        require_sender_constrained: bool = False,
    ) -> Authenticator: ...
    def authenticate(
        self,
        method: str,
        path: str,
        headers: _Headers,
        client_ip: str | _ipaddress.IPv4Address | _ipaddress.IPv6Address | None = None,
        required_scopes: Sequence[str] = ...,
        client_certificate: bytes | bytearray | str | None = None,
    ) -> Principal | Refusal:
        """A ``Principal`` (truthy) or a ``Refusal`` (falsy); never raises for a refusal."""
    def authenticate_async(
        self,
        method: str,
        path: str,
        headers: _Headers,
        client_ip: str | _ipaddress.IPv4Address | _ipaddress.IPv6Address | None = None,
        required_scopes: Sequence[str] = ...,
        client_certificate: bytes | bytearray | str | None = None,
    ) -> Awaitable[Principal | Refusal]:
        """The same decision; network work (introspection, remote keys, Redis or PostgreSQL
        stores) runs without blocking the loop."""
    @property
    def has_introspection(self) -> bool:
        """Whether opaque tokens are introspected (``authenticate`` may block on the network)."""
    @property
    def has_remote_jwt(self) -> bool:
        """Whether JWTs are verified with remote keys (``authenticate`` uses the cached keys only)."""
    @property
    def has_shared_stores(self) -> bool:
        """Whether any state is on Redis or PostgreSQL (``authenticate`` waits for round trips)."""
    @property
    def introspection_cache_len(self) -> int: ...
    def dpop_nonce(self) -> str | None:
        """The ``DPoP-Nonce`` to send now, or ``None`` without DPoP nonces."""
    @property
    def header_names(self) -> list[str]:
        """The lower-case header names this configuration reads."""

@final
class TokenSourceOptions:
    """When a ``TokenSource`` refreshes and how it retries; durations as ``timedelta`` (seconds
    accepted). Defaults (the core's): refresh when less than min(5 min, half the lifetime)
    remains, jitter 0.1, expiry margin 5 s, default lifetime 1 h, backoff 1 s doubling to 60 s."""

    def __new__(
        cls,
        *,
        refresh_ahead: _dt.timedelta | float | None = None,
        refresh_ahead_fraction: float | None = None,
        jitter: float | None = None,
        expiry_margin: _dt.timedelta | float | None = None,
        default_lifetime: _dt.timedelta | float | None = None,
        backoff_initial: _dt.timedelta | float | None = None,
        backoff_max: _dt.timedelta | float | None = None,
        background: bool = True,
    ) -> TokenSourceOptions: ...
    @property
    def refresh_ahead(self) -> _dt.timedelta: ...
    @property
    def refresh_ahead_fraction(self) -> float: ...
    @property
    def jitter(self) -> float: ...
    @property
    def expiry_margin(self) -> _dt.timedelta: ...
    @property
    def default_lifetime(self) -> _dt.timedelta: ...
    @property
    def backoff_initial(self) -> _dt.timedelta: ...
    @property
    def backoff_max(self) -> _dt.timedelta: ...
    @property
    def background(self) -> bool: ...
