/**
 * Response schemas for the X API answers the client reads, and the clean camelCase types it
 * returns.
 *
 * Every documented variant is accepted (spec §1, §7.2, §9): answers with or without the `data`
 * wrapper, `valid` or `attempted` on the CRC trigger, 200 with a body or 204 without, counts sent as
 * strings or numbers, and the three documented replay-job shapes.
 *
 * Loaded with the client's first request (`import('./schemas.js')` in `client.ts`), never at import of
 * the package: zod/mini and its English locale cost more to load than the rest of the root entry.
 * Other modules import only its types.
 *
 * Internal module: the types are re-exported from `src/client/index.ts`.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// ---------------------------------------------------------------------------------------------
// Public result types
// ---------------------------------------------------------------------------------------------

/** A registered webhook. */
export interface Webhook {
  /** The webhook id (a numeric string; never exposed as a number). */
  readonly id: string;
  /** The callback URL X delivers events to. */
  readonly url: string;
  /** False once X's periodic CRC has failed; call `client.webhooks.validate(id)` to re-enable it. */
  readonly valid: boolean;
  /** When the webhook was registered. */
  readonly createdAt: Date;
}

/** The answer to `client.webhooks.validate(id)`, which makes X run a CRC against the webhook. */
export interface WebhookValidation {
  /** True when X started the CRC. */
  readonly attempted: boolean;
  /**
   * The outcome of the CRC when X reported it: `true` when the webhook is valid again. `undefined`
   * when X only said that the check was started (older v2 answers `{"attempted": true}`): call
   * `client.webhooks.list()` to read the outcome.
   */
  readonly valid: boolean | undefined;
}

/** One subscribed user. */
export interface Subscription {
  /** The subscribed user's id (a numeric string). */
  readonly userId: string;
}

/** The subscriptions of one webhook. */
export interface SubscriptionList {
  /** The webhook these subscriptions belong to. */
  readonly webhookId: string;
  /** The webhook's URL, when X sent it. */
  readonly webhookUrl: string | undefined;
  /** The id of the app that owns the subscriptions, when X sent it. */
  readonly applicationId: string | undefined;
  /** Every subscribed user. */
  readonly subscriptions: readonly Subscription[];
}

/** How many subscriptions the app has, across all webhooks. */
export interface SubscriptionCount {
  /** The account name X reports, when present. */
  readonly accountName: string | undefined;
  /** Active subscriptions (X sends a string; this is a number). */
  readonly subscriptionsCountAll: number;
  /** Active DM-only subscriptions; always 0 on v2, where such subscriptions no longer exist. */
  readonly subscriptionsCountDirectMessages: number;
  /** How many subscriptions the contract allows, when present: the real limit. */
  readonly provisionedCount: number | undefined;
}

/** A started replay job. X signals its end with a `replay_job_status` event on the webhook. */
export interface ReplayJob {
  /** The job id. */
  readonly jobId: string;
  /** When X created the job. */
  readonly createdAt: Date;
}

/** A direct message sent with `client.directMessages.send`. */
export interface SentDirectMessage {
  /** The one-to-one conversation (`dm_conversation_id`). */
  readonly conversationId: string;
  /** The new DM event's id (`dm_event_id`); its delivery carries the same id. */
  readonly eventId: string;
}

/** Accepts `inner` either wrapped as `{ "data": inner }` or bare. */
function dataOrBare<T extends z.ZodMiniType>(inner: T) {
  return z.union([
    z.pipe(
      z.looseObject({ data: inner }),
      z.transform((value) => value.data as z.output<T>),
    ),
    inner,
  ]);
}

/**
 * Builds every client schema. Called once, on first use (see `clientSchemas`), not at import: zod
 * schemas built at module level are calls a bundler must keep, so every import of the root entry,
 * even one that only wants the webhook handler, would carry the whole client.
 *
 * Written with `zod/mini`: its functions are separate exports, so a bundler keeps only the ones used
 * here, where the chained methods of `zod` keep every schema kind alive.
 */
function buildSchemas() {
  // ---------------------------------------------------------------------------------------------
  // Building blocks
  // ---------------------------------------------------------------------------------------------

  /** `created_at` as ISO 8601 (`2016-06-02T23:54:02Z`) or X's classic `2016-06-02 23:54:02 +0000`. */
  const timestamp = z.pipe(
    z.string(),
    z.transform((value, ctx): Date => {
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) {
        ctx.issues.push({ code: 'custom', message: `not a date: ${JSON.stringify(value)}`, input: value });
        return z.NEVER;
      }
      return date;
    }),
  );

  /** A count sent as a string (documented) or as a number. */
  const count = z.union([
    z.number().check(z.int(), z.nonnegative()),
    z.pipe(
      z.string().check(z.regex(/^[0-9]+$/, 'not a count')),
      z.transform((value) => Number(value)),
    ),
  ]);

  const webhookConfig = z.pipe(
    z.looseObject({ id: z.string(), url: z.string(), valid: z.boolean(), created_at: timestamp }),
    z.transform((raw): Webhook => ({ id: raw.id, url: raw.url, valid: raw.valid, createdAt: raw.created_at })),
  );

  const subscribedFlag = z.looseObject({ subscribed: z.boolean() });

  const jobFields = z.pipe(
    z.looseObject({ job_id: z.string(), created_at: timestamp }),
    z.transform((raw): ReplayJob => ({ jobId: raw.job_id, createdAt: raw.created_at })),
  );

  /** A schema that returns `undefined` for whatever `schema` accepts. */
  const toUndefined = <T extends z.ZodMiniType>(schema: T) =>
    z.pipe(
      schema,
      z.transform((): undefined => undefined),
    );

  // ---------------------------------------------------------------------------------------------
  // Per-operation schemas (input: the parsed JSON body, or undefined for an empty body)
  // ---------------------------------------------------------------------------------------------

  /** V1 / E1: `{data: WebhookConfig}` (docs, OAS-167) or a bare `WebhookConfig` (OAS ≤2.166, v1.1). */
  const registerWebhookSchema = dataOrBare(webhookConfig);

  /**
   * V2: `{data: [...], meta}`; `data` is left out when there are no webhooks. E2: a bare array.
   */
  const listWebhooksSchema = z.union([
    z.array(webhookConfig),
    z.pipe(
      z.looseObject({ data: z.optional(z.array(webhookConfig)) }),
      z.transform((value): Webhook[] => value.data ?? []),
    ),
  ]);

  /**
   * V3: `{data: {valid}}` (OAS-167, docs) or `{data: {attempted}}` (OAS ≤2.166). E3: 204, sent only
   * when the CRC passed.
   */
  const validateWebhookSchema = z.union([
    z.pipe(
      z.undefined(),
      z.transform((): WebhookValidation => ({ attempted: true, valid: true })),
    ),
    dataOrBare(
      z.union([
        z.pipe(
          z.looseObject({ valid: z.boolean() }),
          z.transform((value): WebhookValidation => ({ attempted: true, valid: value.valid })),
        ),
        z.pipe(
          z.looseObject({ attempted: z.boolean() }),
          z.transform((value): WebhookValidation => ({ attempted: value.attempted, valid: undefined })),
        ),
      ]),
    ),
  ]);

  /** V4: `{data: {deleted: true}}`; E4: 204. */
  const deleteWebhookSchema = z.union([
    z.undefined(),
    toUndefined(dataOrBare(z.looseObject({ deleted: z.literal(true) }))),
  ]);

  /** V6: `{data: {subscribed: true}}`; E5: 204. */
  const addSubscriptionSchema = z.union([
    z.undefined(),
    toUndefined(dataOrBare(z.looseObject({ subscribed: z.literal(true) }))),
  ]);

  /** V7: `{data: {subscribed}}`; E6: 204 means subscribed. */
  const checkSubscriptionSchema = z.union([
    z.pipe(
      z.undefined(),
      z.transform((): boolean => true),
    ),
    z.pipe(
      dataOrBare(subscribedFlag),
      z.transform((value): boolean => value.subscribed),
    ),
  ]);

  /** V8: `{data: {...}}`; E7: the same object, bare. */
  const listSubscriptionsSchema = dataOrBare(
    z.looseObject({
      webhook_id: z.optional(z.string()),
      webhook_url: z.optional(z.string()),
      application_id: z.optional(z.string()),
      subscriptions: z.optional(z.array(z.looseObject({ user_id: z.string() }))),
    }),
  );

  /** V9: `{data: {...}}`; E8: the same object, bare. Every value is a string. */
  const subscriptionCountSchema = z.pipe(
    dataOrBare(
      z.looseObject({
        account_name: z.optional(z.string()),
        subscriptions_count_all: count,
        subscriptions_count_direct_messages: z.optional(count),
        provisioned_count: z.optional(count),
      }),
    ),
    z.transform(
      (raw): SubscriptionCount => ({
        accountName: raw.account_name,
        subscriptionsCountAll: raw.subscriptions_count_all,
        subscriptionsCountDirectMessages: raw.subscriptions_count_direct_messages ?? 0,
        provisionedCount: raw.provisioned_count,
      }),
    ),
  );

  /** V10: `{data: {subscribed: false}}` (docs) or 204 (what the official dashboard expects); E9: 204. */
  const removeSubscriptionSchema = z.union([
    z.undefined(),
    toUndefined(dataOrBare(z.looseObject({ subscribed: z.literal(false) }))),
  ]);

  /**
   * V5: `{data: {job_id, created_at}}` (OAS-167) or bare (OAS ≤2.166); E11: bare; the deprecated V11
   * also documents `{for_user_id, replay_event: {job_id, created_at}}` (V2-QS).
   */
  const replayJobSchema = z.union([
    z.pipe(
      z.looseObject({ replay_event: jobFields }),
      z.transform((value): ReplayJob => value.replay_event),
    ),
    dataOrBare(jobFields),
  ]);

  /** `POST /2/dm_conversations/with/:participant_id/messages`: `{data: {dm_conversation_id, dm_event_id}}`. */
  const sentDirectMessageSchema = dataOrBare(
    z.pipe(
      z.looseObject({ dm_conversation_id: z.string(), dm_event_id: z.string() }),
      z.transform((raw): SentDirectMessage => ({ conversationId: raw.dm_conversation_id, eventId: raw.dm_event_id })),
    ),
  );

  /** `POST /oauth2/token`: `{"token_type": "bearer", "access_token": "..."}`; returns the token. */
  const bearerTokenSchema = z.pipe(
    z.looseObject({
      token_type: z.string().check(z.regex(/^bearer$/i, 'token_type is not "bearer"')),
      access_token: z.string().check(z.regex(/^[\x21-\x7E]+$/)), // it goes into an Authorization header
    }),
    z.transform((raw): string => raw.access_token),
  );

  return {
    registerWebhook: registerWebhookSchema,
    listWebhooks: listWebhooksSchema,
    validateWebhook: validateWebhookSchema,
    deleteWebhook: deleteWebhookSchema,
    addSubscription: addSubscriptionSchema,
    checkSubscription: checkSubscriptionSchema,
    listSubscriptions: listSubscriptionsSchema,
    subscriptionCount: subscriptionCountSchema,
    removeSubscription: removeSubscriptionSchema,
    replayJob: replayJobSchema,
    sentDirectMessage: sentDirectMessageSchema,
    bearerToken: bearerTokenSchema,
  };
}

/** Every response schema of the client, keyed by operation (`bearerToken` reads `POST /oauth2/token`). */
export type ClientSchemas = ReturnType<typeof buildSchemas>;

let built: ClientSchemas | undefined;

/** The client's response schemas, built on the first call and shared afterwards. */
export function clientSchemas(): ClientSchemas {
  built ??= buildSchemas();
  return built;
}

/** What the client needs of a response schema. */
export interface ResponseSchema<T> {
  safeParse(data: unknown, params?: z.core.ParseContext<z.core.$ZodIssue>): z.core.util.SafeParseResult<T>;
}

let english: z.core.$ZodErrorMap | undefined;

/**
 * Checks `data` against `schema`, with zod's English messages on the issues (`Invalid input: expected
 * string, received undefined`). `zod/mini` loads no locale of its own, so the messages are passed per
 * call: they read the same whatever locale, if any, the application configured for its own zod.
 */
export function parseResponse<T>(schema: ResponseSchema<T>, data: unknown): z.core.util.SafeParseResult<T> {
  english ??= en().localeError;
  return schema.safeParse(data, { error: english });
}

/** Checks an answer against the schema named `name` (see {@link parseResponse}). */
export function parseAnswer<S extends keyof ClientSchemas>(
  name: S,
  data: unknown,
): z.core.util.SafeParseResult<z.output<ClientSchemas[S]>> {
  const schema: ResponseSchema<unknown> = clientSchemas()[name];
  return parseResponse(schema, data) as z.core.util.SafeParseResult<z.output<ClientSchemas[S]>>;
}
