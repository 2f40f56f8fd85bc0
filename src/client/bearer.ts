/**
 * The app-only bearer token: given, or obtained once and cached. Obtaining it is the `oauth2.token`
 * row of the endpoint table (`POST /oauth2/token`, HTTP Basic with the URL-encoded consumer key and
 * secret, form body `grant_type=client_credentials`), sent like any other request; this module only
 * caches. Concurrent first calls share one token request: X answers 403 with code 99 when the token
 * endpoint is called too often.
 *
 * Internal module.
 */

/** Where the client's app-only token comes from. */
export class BearerTokenSource {
  readonly #given: string | undefined;
  readonly #obtain: (() => Promise<string>) | undefined;
  #pending: Promise<string> | undefined;
  #token: string | undefined;
  #requests = 0;

  /**
   * @param given - the token given to the client, if any;
   * @param obtain - sends the token request, when the client has the consumer key and secret.
   */
  constructor(given: string | undefined, obtain: (() => Promise<string>) | undefined) {
    this.#given = given;
    this.#obtain = obtain;
  }

  /** True when a token is given or can be obtained. */
  get available(): boolean {
    return this.#given !== undefined || this.#obtain !== undefined;
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
      const obtain = this.#obtain as () => Promise<string>;
      this.#requests++;
      const request = obtain();
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
