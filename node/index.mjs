// ESM entry point: re-exports the CommonJS build so both share one native instance.
import tokenward from './index.js'

export const { Secret, errorCodes, fingerprint, certificateThumbprint, version } = tokenward
export const { JwtKey, KeySet, JwtIssuer, JwtVerifier, RemoteKeySet, RemoteJwtVerifier } = tokenward
export const { ApiKeys, KeyRecord, API_KEY_PATTERN } = tokenward
export const { redact, Redactor, RedactStream, onAudit, AuditSubscription } = tokenward
export const { scrubObject, pinoRedaction, redactFormat } = tokenward
export const { OAuthClient, Pkce, AuthorizationFlow, LoopbackRedirect, IdTokenVerifier, AccessToken, TokenResponse, TokenSource, StoredTokens } = tokenward
export const { fetchWithTokenSource, useTokenSource, tokenRejected, retryAction } = tokenward
export const { Authenticator, RevocationList, ManualClock } = tokenward
export const { AbuseDetection, Lockout, Threshold, AuditLog } = tokenward
export const { Sessions } = tokenward
export const { enableTelemetry, Telemetry } = tokenward
export const { DpopKey, DpopVerifier } = tokenward
export const { express, fastify, fastifyHook } = tokenward
export const { TokenwardError, InvalidTokenError, InvalidKeyError, ApiKeyError, AuthorizationError } = tokenward
export const { OAuthError, TransportError, InvalidInputError, InternalError } = tokenward
export default tokenward
