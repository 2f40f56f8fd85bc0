/**
 * Rate limits of the emulator: a request budget per endpoint and per caller (user or app) in fixed
 * 15-minute windows, reported with `x-rate-limit-limit`, `x-rate-limit-remaining` and
 * `x-rate-limit-reset` (epoch seconds), and 429 once exhausted.
 */

/**
 * The endpoints the emulator serves, by their ids (docs/x-api-notes.md#endpoint-ids): `E1`-`E11`
 * (v1.1 enterprise), `V1`-`V11` (v2), `DM` (`POST /2/dm_conversations/with/:participant_id/messages`) and `TOKEN`
 * (`POST /oauth2/token`).
 */
export type EndpointId =
  | 'E1'
  | 'E2'
  | 'E3'
  | 'E4'
  | 'E5'
  | 'E6'
  | 'E7'
  | 'E8'
  | 'E9'
  | 'E10'
  | 'E11'
  | 'V1'
  | 'V2'
  | 'V3'
  | 'V4'
  | 'V5'
  | 'V6'
  | 'V7'
  | 'V8'
  | 'V9'
  | 'V10'
  | 'V11'
  | 'DM'
  | 'TOKEN';

/**
 * The client operation each endpoint serves (`client.webhooks.register()` is `'webhooks.register'`),
 * as fault injection names them. The v1.1 and v2 endpoints of one operation share its name;
 * `'oauth2.token'` is the app-only bearer token request.
 */
export type EmulatorOperation =
  | 'webhooks.register'
  | 'webhooks.list'
  | 'webhooks.validate'
  | 'webhooks.delete'
  | 'subscriptions.add'
  | 'subscriptions.check'
  | 'subscriptions.list'
  | 'subscriptions.count'
  | 'subscriptions.remove'
  | 'replay.start'
  | 'directMessages.send'
  | 'oauth2.token';

/** @internal The operation of each endpoint (E10 and V11 are the deprecated forms of two of them). */
export const OPERATION_OF: Readonly<Record<EndpointId, EmulatorOperation>> = {
  E1: 'webhooks.register',
  V1: 'webhooks.register',
  E2: 'webhooks.list',
  V2: 'webhooks.list',
  E3: 'webhooks.validate',
  V3: 'webhooks.validate',
  E4: 'webhooks.delete',
  V4: 'webhooks.delete',
  E5: 'subscriptions.add',
  V6: 'subscriptions.add',
  E6: 'subscriptions.check',
  V7: 'subscriptions.check',
  E7: 'subscriptions.list',
  V8: 'subscriptions.list',
  E8: 'subscriptions.count',
  V9: 'subscriptions.count',
  E9: 'subscriptions.remove',
  E10: 'subscriptions.remove',
  V10: 'subscriptions.remove',
  E11: 'replay.start',
  V5: 'replay.start',
  V11: 'replay.start',
  DM: 'directMessages.send',
  TOKEN: 'oauth2.token',
};

/**
 * Requests per 15-minute window, per endpoint: X's published figures for v1.1 and V1-V5; V6-V11 are
 * unpublished, so the v1.1 figures of their counterparts are used (see docs/x-api-notes.md#rate-limits);
 * `DM` is 200 per user.
 * `TOKEN` is not limited.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<EndpointId, number>> = {
  E1: 15,
  E2: 15,
  E3: 15,
  E4: 15,
  E5: 500,
  E6: 500,
  E7: 50,
  E8: 15,
  E9: 500,
  E10: 500,
  E11: 5,
  V1: 450,
  V2: 450,
  V3: 450,
  V4: 450,
  V5: 100,
  V6: 500,
  V7: 500,
  V8: 50,
  V9: 15,
  V10: 500,
  V11: 5,
  DM: 200,
  TOKEN: Number.POSITIVE_INFINITY,
};

/** The 15-minute window length. */
export const RATE_LIMIT_WINDOW_MS = 15 * 60 * 1000;

/** The state of one budget after a request was counted. */
export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Epoch seconds at which the window resets. */
  readonly reset: number;
  /** Whether this request is over the budget (answer 429). */
  readonly limited: boolean;
}

/** Counts requests per endpoint and caller. */
export class RateLimiter {
  readonly #limits: Readonly<Partial<Record<EndpointId, number>>>;
  readonly #clock: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(limits: Readonly<Partial<Record<EndpointId, number>>>, clock: () => number) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /** Counts one request of `caller` on `endpoint`; `undefined` when the endpoint is not limited. */
  hit(endpoint: EndpointId, caller: string): RateLimitState | undefined {
    const limit = this.#limits[endpoint];
    if (limit === undefined || !Number.isFinite(limit)) return undefined;
    const now = this.#clock();
    const key = `${endpoint} ${caller}`;
    let window = this.#windows.get(key);
    if (!window || now >= window.start + RATE_LIMIT_WINDOW_MS) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return {
      limit,
      remaining: Math.max(0, limit - window.count),
      reset: Math.ceil((window.start + RATE_LIMIT_WINDOW_MS) / 1000),
      limited: window.count > limit,
    };
  }

  /** Forgets every window. */
  reset(): void {
    this.#windows.clear();
  }
}
