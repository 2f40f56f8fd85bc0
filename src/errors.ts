/**
 * One error family for the whole SDK.
 *
 * Every error thrown by this package is an {@link XAccountActivityError}. Specific failures have
 * their own subclass, and each class has a guard (`isXApiError`, `isCrcTokenError`, ...) that checks
 * `instanceof` first and then the error's `name`, so a guard still answers correctly when the error
 * was created by another copy of the package (two bundles, a worker, a `vm` context).
 *
 * No error ever carries a secret: messages name what went wrong and how to fix it, never a consumer
 * secret, token, signature or Authorization header.
 *
 * @packageDocumentation
 */

/** Options accepted by every error constructor of this package. */
export interface XAccountActivityErrorOptions {
  /** The underlying error, kept as the standard `cause`. */
  readonly cause?: unknown;
}

/**
 * Base class of every error this package throws.
 *
 * @example
 * ```ts
 * try {
 *   await client.webhooks.list();
 * } catch (error) {
 *   if (isXAccountActivityError(error)) console.error(error.name, error.message);
 * }
 * ```
 */
export class XAccountActivityError extends Error {
  // Error's own constructor, `(message, { cause })`: no constructor of its own, which would only pass
  // them on (and costs bytes in the smallest bundles, CRC and signature only).
  override readonly name: string = 'XAccountActivityError';

  /**
   * @internal The mark the guards read on errors of another copy of the package (another bundle, a
   * worker, a vm context), so that a foreign error that only shares a name (the DOMException
   * "TimeoutError" of AbortSignal.timeout()) is not taken for one of ours. A getter on the prototype:
   * JSON and inspect skip it.
   */
  get __xAccountActivityError(): true {
    return true;
  }
}

/** The property that marks every error of this package, whatever copy of it made the error. */
const BRAND = '__xAccountActivityError';

// ---------------------------------------------------------------------------------------------
// Both sides
// ---------------------------------------------------------------------------------------------

/**
 * Invalid options or arguments given to any function of the package (a missing consumer secret, a
 * parsed object where the raw body is needed, a negative timeout...). Thrown synchronously, before
 * anything is sent or answered; the message names the argument and the fix, never a secret's value.
 */
export class InvalidArgumentError extends XAccountActivityError {
  override readonly name: string = 'InvalidArgumentError';
}

/** The runtime offers neither `node:crypto` nor Web Crypto (`crypto.subtle`), so nothing can be signed. */
export class UnsupportedRuntimeError extends XAccountActivityError {
  override readonly name: string = 'UnsupportedRuntimeError';
}

// ---------------------------------------------------------------------------------------------
// Webhook side
// ---------------------------------------------------------------------------------------------

/**
 * A `crc_token` that is not of X's documented opaque shape was refused.
 *
 * The CRC answer is `HMAC-SHA256(consumer secret, crc_token)`, the very construction that signs event
 * deliveries. Answering arbitrary tokens would let anyone obtain a valid
 * `x-twitter-webhooks-signature` for bytes of their choosing (a signing oracle), so only tokens made
 * of base64 or base64url characters are answered: such a token can never be a JSON delivery body.
 */
export class CrcTokenError extends XAccountActivityError {
  override readonly name: string = 'CrcTokenError';
}

/**
 * A webhook POST was refused because its `x-twitter-webhooks-signature` header was missing or did not
 * match the raw body. The handler answers 401 and dispatches nothing.
 */
export class SignatureVerificationError extends XAccountActivityError {
  override readonly name: string = 'SignatureVerificationError';
}

/** A request body exceeded the configured `maxBodyBytes`. The handler answers 413. */
export class PayloadTooLargeError extends XAccountActivityError {
  override readonly name: string = 'PayloadTooLargeError';
  /** The configured limit, in bytes. */
  readonly limit: number;

  constructor(limit: number, options?: XAccountActivityErrorOptions) {
    super(`The request body is larger than maxBodyBytes (${limit} bytes).`, options);
    this.limit = limit;
  }
}

/** A delivery body is not a JSON object. The handler answers 400. */
export class InvalidPayloadError extends XAccountActivityError {
  override readonly name: string = 'InvalidPayloadError';
}

/**
 * The raw request body was not available, usually because a JSON body parser consumed the stream
 * before the webhook handler ran. The message names the fix for the framework in use.
 */
export class RawBodyError extends XAccountActivityError {
  override readonly name: string = 'RawBodyError';
}

/**
 * A listener registered with `on`, `onAny` or `onError` threw or rejected while handling a verified
 * delivery. The handler answers 500 so that X retries the delivery.
 */
export class ListenerError extends XAccountActivityError {
  override readonly name: string = 'ListenerError';
  /** The event the failing listener was called with. */
  readonly event: unknown;

  constructor(message: string, event: unknown, options?: XAccountActivityErrorOptions) {
    super(message, options);
    this.event = event;
  }
}

// ---------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------

/** Rate-limit state read from X's `x-rate-limit-*` response headers. */
export interface RateLimitInfo {
  /** Requests allowed in the current window (`x-rate-limit-limit`). */
  readonly limit: number;
  /** Requests left in the current window (`x-rate-limit-remaining`). */
  readonly remaining: number;
  /** When the window resets (`x-rate-limit-reset`, epoch seconds). */
  readonly reset: Date;
}

/**
 * The documented v2 failure reasons: the `Reason:` prefix of `errors[0].message` in X's v2 error
 * bodies (https://docs.x.com/x-api/webhooks/introduction).
 */
export const X_API_ERROR_REASONS = [
  'CrcValidationFailed',
  'UrlValidationFailed',
  'DuplicateUrlFailed',
  'WebhookLimitExceeded',
  'WebhookIdInvalid',
  'DuplicateSubscriptionFailed',
  'SubscriptionLimitExceeded',
  'SubscriptionNotFound',
  'QueryParamInvalid',
  'ReplayConflictError',
] as const;

/** One of the documented v2 failure reasons. */
export type XApiErrorReason = (typeof X_API_ERROR_REASONS)[number];

/** One entry of the `errors` array of an X error body. */
export interface XApiErrorEntry {
  /** The v1.1 error code, when present. */
  readonly code?: number;
  /** The message as X sent it. */
  readonly message: string;
}

/** The request that failed, without any header (so never an Authorization header). */
export interface XApiRequestInfo {
  readonly method: string;
  readonly url: string;
}

/** Everything known about a failed X API call. */
export interface XApiErrorInit {
  readonly status: number;
  readonly request: XApiRequestInfo;
  readonly code?: number;
  readonly reason?: XApiErrorReason;
  readonly title?: string;
  readonly detail?: string;
  readonly type?: string;
  readonly errors?: readonly XApiErrorEntry[];
  readonly rateLimit?: RateLimitInfo;
  readonly body?: string;
}

/**
 * X answered with an error status. Subclasses name the class of failure; `status`, `code` (v1.1),
 * `reason` (v2), the problem fields and `rateLimit` carry the details.
 *
 * @example
 * ```ts
 * try {
 *   await client.webhooks.register('https://example.com/webhook');
 * } catch (error) {
 *   if (isXApiError(error) && error.reason === 'CrcValidationFailed') {
 *     console.error('Your CRC endpoint did not answer correctly:', error.message);
 *   }
 * }
 * ```
 */
export class XApiError extends XAccountActivityError {
  override readonly name: string = 'XApiError';
  /** The HTTP status X answered with. */
  readonly status: number;
  /** The v1.1 error code (`errors[0].code`), such as 214 or 355. */
  readonly code: number | undefined;
  /** The v2 failure reason (the `Reason:` prefix of `errors[0].message`), when documented. */
  readonly reason: XApiErrorReason | undefined;
  /** RFC 7807 problem `title`, when X sent one. */
  readonly title: string | undefined;
  /** RFC 7807 problem `detail`, when X sent one. */
  readonly detail: string | undefined;
  /** RFC 7807 problem `type` URI, when X sent one. */
  readonly type: string | undefined;
  /** Every entry of the error body's `errors` array. */
  readonly errors: readonly XApiErrorEntry[];
  /** Rate-limit headers of the failed response, when present. */
  readonly rateLimit: RateLimitInfo | undefined;
  /** The method and URL of the failed request (no headers). */
  readonly request: XApiRequestInfo;
  /**
   * The answer's body as text, with credentials hidden and cut at 64 KiB (`error.message` quotes at
   * most 500 characters of it); undefined when the answer had no body.
   */
  readonly body: string | undefined;

  constructor(message: string, init: XApiErrorInit, options?: XAccountActivityErrorOptions) {
    super(message, options);
    this.status = init.status;
    this.code = init.code;
    this.reason = init.reason;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.errors = init.errors ?? [];
    this.rateLimit = init.rateLimit;
    this.request = init.request;
    this.body = init.body;
  }
}

/** 400: X refused the request's parameters (most v2 reasons arrive with this status). */
export class InvalidRequestError extends XApiError {
  override readonly name: string = 'InvalidRequestError';
}
/** 401: the credentials were refused (v1.1 codes 32, 89, 61, 348). */
export class AuthenticationError extends XApiError {
  override readonly name: string = 'AuthenticationError';
}
/** 403: the app may not do this (AAA not enabled, code 200; no write access, code 261). */
export class ForbiddenError extends XApiError {
  override readonly name: string = 'ForbiddenError';
}
/** 404: no such webhook or subscription (v1.1 code 34). */
export class NotFoundError extends XApiError {
  override readonly name: string = 'NotFoundError';
}
/** 409: a conflicting resource or job exists (replay already running, code 355). */
export class ConflictError extends XApiError {
  override readonly name: string = 'ConflictError';
}
/** 429: rate limited (code 88). `rateLimit.reset` says when to try again. */
export class RateLimitError extends XApiError {
  override readonly name: string = 'RateLimitError';
}
/** 5xx: X failed (codes 0, 67, 131). */
export class ServerError extends XApiError {
  override readonly name: string = 'ServerError';
}

/** The request could not be sent or its answer not received (DNS, refused, reset). */
export class ConnectionError extends XAccountActivityError {
  override readonly name: string = 'ConnectionError';
}

/** The request took longer than its timeout. */
export class TimeoutError extends XAccountActivityError {
  override readonly name: string = 'TimeoutError';
}

/** X answered with a success status but a body of an undocumented shape. */
export class ResponseValidationError extends XAccountActivityError {
  override readonly name: string = 'ResponseValidationError';
}

// ---------------------------------------------------------------------------------------------
// Signing users in (OAuth 1.0a and OAuth 2.0 with PKCE)
// ---------------------------------------------------------------------------------------------

/** The step of a sign-in flow that X refused. */
export type OAuthStep = 'request_token' | 'access_token' | 'authorization_code' | 'refresh_token' | 'revoke';

/** Everything known about a refused sign-in step. */
export interface OAuthErrorInit extends XApiErrorInit {
  readonly step: OAuthStep;
  /** The RFC 6749 `error` code of an OAuth 2.0 answer (`invalid_request`, `invalid_client`...). */
  readonly oauthError?: string;
}

/**
 * X refused a step of a sign-in flow: a wrong or reused verifier, a code verifier that does not match
 * the code challenge, a used or expired authorization code, a refresh token that was already used or
 * revoked, client credentials that do not match. `step` says which request failed, `oauthError` the
 * OAuth 2.0 `error` code when X sent one. Like every {@link XApiError} it has `status`, `code` and
 * `errors`; neither the message nor `request` carry a token, verifier, code or secret.
 *
 * @example
 * ```ts
 * try {
 *   await flow.exchange({ code, codeVerifier });
 * } catch (error) {
 *   if (isOAuthError(error)) console.error(error.step, error.oauthError, error.message);
 * }
 * ```
 */
export class OAuthError extends XApiError {
  override readonly name: string = 'OAuthError';
  /** Which request of the flow X refused. */
  readonly step: OAuthStep;
  /** The OAuth 2.0 `error` code (`invalid_request`, `invalid_client`, `unauthorized_client`...), if any. */
  readonly oauthError: string | undefined;

  constructor(message: string, init: OAuthErrorInit, options?: XAccountActivityErrorOptions) {
    super(message, init, options);
    this.step = init.step;
    this.oauthError = init.oauthError;
  }
}

/** Why the redirect back from X was refused before anything was sent to X. */
export type OAuthCallbackFailure = 'state_mismatch' | 'token_mismatch' | 'denied' | 'missing_parameter';

/**
 * The redirect back from X's authorize page cannot be used: its `state` is not the one this sign-in
 * started with (a forged or mixed-up callback), its `oauth_token` is not the request token of this
 * sign-in, the user declined (`denied` / `error=access_denied`), or the code or verifier is missing.
 * Nothing was sent to X. The message never contains the values compared.
 *
 * @example
 * ```ts
 * try {
 *   await flow.handleCallback(request.url, saved);
 * } catch (error) {
 *   if (isOAuthCallbackError(error) && error.reason === 'denied') showMessage('Sign-in cancelled.');
 * }
 * ```
 */
export class OAuthCallbackError extends XAccountActivityError {
  override readonly name: string = 'OAuthCallbackError';
  /** What was wrong with the callback. */
  readonly reason: OAuthCallbackFailure;

  constructor(message: string, reason: OAuthCallbackFailure, options?: XAccountActivityErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------------

type Constructor<T> = abstract new (...args: never[]) => T;

/** Every class of the family by its `name`, so that a guard can recognise errors of another copy. */
let byName: Readonly<Record<string, Constructor<Error>>> | undefined;

function guard<T extends Error>(ctor: Constructor<T>): (value: unknown) => value is T {
  return (value: unknown): value is T => {
    if (value instanceof ctor) return true;
    if (typeof value !== 'object' || value === null) return false;
    if ((value as { [BRAND]?: unknown })[BRAND] !== true) return false;
    const { name, message } = value as { name?: unknown; message?: unknown };
    byName ??= {
      XAccountActivityError,
      CrcTokenError,
      SignatureVerificationError,
      PayloadTooLargeError,
      InvalidPayloadError,
      RawBodyError,
      ListenerError,
      InvalidArgumentError,
      UnsupportedRuntimeError,
      ConnectionError,
      TimeoutError,
      ResponseValidationError,
      XApiError,
      InvalidRequestError,
      AuthenticationError,
      ForbiddenError,
      NotFoundError,
      ConflictError,
      RateLimitError,
      ServerError,
      OAuthError,
      OAuthCallbackError,
    };
    const known =
      typeof name === 'string' && typeof message === 'string' && Object.hasOwn(byName, name) ? byName[name] : undefined;
    return known !== undefined && (known === ctor || known.prototype instanceof ctor);
  };
}

/** True for any error of this package, from any copy of it. */
export const isXAccountActivityError = /* @__PURE__ */ guard(XAccountActivityError);
/** True for a refused `crc_token`. */
export const isCrcTokenError = /* @__PURE__ */ guard(CrcTokenError);
/** True for a refused delivery signature. */
export const isSignatureVerificationError = /* @__PURE__ */ guard(SignatureVerificationError);
/** True for a body over `maxBodyBytes`. */
export const isPayloadTooLargeError = /* @__PURE__ */ guard(PayloadTooLargeError);
/** True for a body that is not a JSON object. */
export const isInvalidPayloadError = /* @__PURE__ */ guard(InvalidPayloadError);
/** True when the raw body was consumed by a body parser. */
export const isRawBodyError = /* @__PURE__ */ guard(RawBodyError);
/** True for a listener failure. */
export const isListenerError = /* @__PURE__ */ guard(ListenerError);
/** True for invalid options or arguments, on either side. */
export const isInvalidArgumentError = /* @__PURE__ */ guard(InvalidArgumentError);
/** True for an {@link UnsupportedRuntimeError}. */
export const isUnsupportedRuntimeError = /* @__PURE__ */ guard(UnsupportedRuntimeError);
/** True for any error status from X (every `XApiError` subclass). */
export const isXApiError = /* @__PURE__ */ guard(XApiError);
/** True for a 400 from X. */
export const isInvalidRequestError = /* @__PURE__ */ guard(InvalidRequestError);
/** True for a 401 from X. */
export const isAuthenticationError = /* @__PURE__ */ guard(AuthenticationError);
/** True for a 403 from X. */
export const isForbiddenError = /* @__PURE__ */ guard(ForbiddenError);
/** True for a 404 from X. */
export const isNotFoundError = /* @__PURE__ */ guard(NotFoundError);
/** True for a 409 from X. */
export const isConflictError = /* @__PURE__ */ guard(ConflictError);
/** True for a 429 from X. */
export const isRateLimitError = /* @__PURE__ */ guard(RateLimitError);
/** True for a 5xx from X. */
export const isServerError = /* @__PURE__ */ guard(ServerError);
/** True for a connection failure. */
export const isConnectionError = /* @__PURE__ */ guard(ConnectionError);
/** True for a timeout. */
export const isTimeoutError = /* @__PURE__ */ guard(TimeoutError);
/** True for a success answer of an undocumented shape. */
export const isResponseValidationError = /* @__PURE__ */ guard(ResponseValidationError);
/** True for a sign-in step that X refused (an {@link OAuthError}). */
export const isOAuthError = /* @__PURE__ */ guard(OAuthError);
/** True for a sign-in callback refused before anything was sent to X (an {@link OAuthCallbackError}). */
export const isOAuthCallbackError = /* @__PURE__ */ guard(OAuthCallbackError);
