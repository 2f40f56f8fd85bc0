/**
 * The app-only bearer token: given, or obtained once with the client-credentials grant
 * (`POST {baseUrl}/oauth2/token`, HTTP Basic with the URL-encoded consumer key and secret, form body
 * `grant_type=client_credentials`) and cached. Concurrent first calls share one token request: X
 * answers 403 with code 99 when the token endpoint is called too often.
 *
 * Internal module.
 */
import { ResponseValidationError } from '../errors.js';
import { toApiError } from './errors-map.js';
import type { HttpTransport } from './http.js';
import { clientSchemas } from './schemas.js';

/** Where the client's app-only token comes from. */
export class BearerTokenSource {
  readonly #given: string | undefined;
  readonly #basic: string | undefined;
  readonly #tokenUrl: string;
  readonly #transport: HttpTransport;
  readonly #timeout: number;
  #pending: Promise<string> | undefined;
  #token: string | undefined;
  #requests = 0;

  constructor(init: {
    readonly bearerToken: string | undefined;
    readonly consumerKey: string | undefined;
    readonly consumerSecret: string | undefined;
    readonly baseUrl: string;
    readonly transport: HttpTransport;
    readonly timeout: number;
  }) {
    this.#given = init.bearerToken;
    this.#basic =
      init.consumerKey !== undefined && init.consumerSecret !== undefined
        ? `Basic ${btoa(`${encodeURIComponent(init.consumerKey)}:${encodeURIComponent(init.consumerSecret)}`)}`
        : undefined;
    this.#tokenUrl = `${init.baseUrl}/oauth2/token`;
    this.#transport = init.transport;
    this.#timeout = init.timeout;
  }

  /** True when a token is given or can be obtained. */
  get available(): boolean {
    return this.#given !== undefined || this.#basic !== undefined;
  }

  /** How many token requests were sent (for diagnostics and tests). */
  get tokenRequests(): number {
    return this.#requests;
  }

  /** The token when it is known already (given, or obtained and cached), without waiting. */
  current(): string | undefined {
    return this.#given ?? this.#token;
  }

  /** The token; obtains it on first use. The caller's signal ends its own wait, not the request. */
  get(signal?: AbortSignal): Promise<string> {
    if (this.#given !== undefined) return Promise.resolve(this.#given);
    let pending = this.#pending;
    if (!pending) {
      const request = this.#obtain();
      pending = request;
      this.#pending = request;
      // A failed request is forgotten, so that the next call tries again.
      request.then(
        (token) => {
          if (this.#pending === request) this.#token = token;
        },
        () => {
          if (this.#pending === request) this.#pending = undefined;
        },
      );
    }
    return signal ? abortable(pending, signal) : pending;
  }

  /** Forgets an obtained token that X refused (401), so that the next call obtains a new one. */
  invalidate(token: string): void {
    if (this.#given !== undefined || this.#token !== token) return;
    this.#token = undefined;
    this.#pending = undefined;
  }

  async #obtain(): Promise<string> {
    const basic = this.#basic as string;
    this.#requests++;
    const response = await this.#transport.send(
      {
        method: 'POST',
        url: this.#tokenUrl,
        body: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
        authorize: () => basic,
        retry: false,
      },
      { timeout: this.#timeout },
    );
    let body: unknown;
    try {
      body = response.text === '' ? undefined : JSON.parse(response.text);
    } catch {
      body = response.text;
    }
    if (response.status !== 200) {
      throw toApiError(response.status, body, response.headers, { method: 'POST', url: this.#tokenUrl });
    }
    const parsed = clientSchemas().bearerToken.safeParse(body);
    if (!parsed.success) {
      throw new ResponseValidationError(
        'X answered POST /oauth2/token with 200 but no bearer token.',
      );
    }
    return parsed.data.access_token;
  }
}

/** `promise`, or the signal's reason as soon as `signal` aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
