/**
 * Rate limits of the emulator: a request budget per endpoint and per caller (user or app) in fixed
 * 15-minute windows, reported with `x-rate-limit-limit`, `x-rate-limit-remaining` and
 * `x-rate-limit-reset` (epoch seconds), and 429 once exhausted.
 */
import type { OperationName } from '../client/endpoints.js';

/**
 * The endpoints the emulator serves, by their ids (docs/x-api-notes.md#endpoint-ids): `E1`-`E11`
 * (v1.1 enterprise), `V1`-`V11` (v2), `DM` (`POST /2/dm_conversations/with/:participant_id/messages`),
 * `TOKEN` (`POST /oauth2/token`), and for the X Activity API and Filtered Stream (docs/testing.md):
 * `A1`-`A5` (`POST`, `GET /2/activity/subscriptions`, `PUT`, `DELETE /2/activity/subscriptions/:id`,
 * bulk `DELETE /2/activity/subscriptions?ids=`), `A6` (`GET /2/activity/stream`), `R1`/`R2` (`GET`/`POST
 * /2/tweets/search/stream/rules`), `L1`-`L3` (`POST`, `DELETE /2/tweets/search/webhooks/:id`, `GET
 * /2/tweets/search/webhooks`).
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
  | 'TOKEN'
  | 'A1'
  | 'A2'
  | 'A3'
  | 'A4'
  | 'A5'
  | 'A6'
  | 'R1'
  | 'R2'
  | 'L1'
  | 'L2'
  | 'L3';

/**
 * The client operation each endpoint serves (`client.webhooks.register()` is `'webhooks.register'`),
 * as fault injection names them: the client's own operation names. The v1.1 and v2 endpoints of one
 * operation share its name; `'oauth2.token'` is the app-only bearer token request.
 */
export type EmulatorOperation = OperationName | 'oauth2.token';

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
  A1: 'activity.subscriptions.create',
  A2: 'activity.subscriptions.list',
  A3: 'activity.subscriptions.update',
  A4: 'activity.subscriptions.delete',
  A5: 'activity.subscriptions.deleteMany',
  A6: 'activity.stream',
  R1: 'streamRules.list',
  // R2 serves both; a request with a `delete` body is 'streamRules.delete' (see operationOf).
  R2: 'streamRules.add',
  L1: 'streamLinks.create',
  L2: 'streamLinks.delete',
  L3: 'streamLinks.list',
};

/** @internal The operation of a request: R2 with a `delete` body is `'streamRules.delete'`. */
export function operationOf(endpoint: EndpointId, body: string): EmulatorOperation {
  if (endpoint === 'R2' && /"delete"\s*:/.test(body) && !/"add"\s*:/.test(body)) return 'streamRules.delete';
  return OPERATION_OF[endpoint];
}

/**
 * Requests per 15-minute window, per endpoint: X's published figures for v1.1 and V1-V5; V6-V11 are
 * unpublished, so the v1.1 figures of their counterparts are used (see docs/x-api-notes.md#rate-limits);
 * `DM` is 200 per user.
 * `TOKEN` is not limited. XAA (spec §10): A1-A4 500, A6 450; the unpublished bulk delete A5 is given
 * A4's 500; the stream rules R1/R2 450; the unpublished stream links L1-L3 `/2/webhooks`' 450.
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
  A1: 500,
  A2: 500,
  A3: 500,
  A4: 500,
  A5: 500,
  A6: 450,
  R1: 450,
  R2: 450,
  L1: 450,
  L2: 450,
  L3: 450,
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
