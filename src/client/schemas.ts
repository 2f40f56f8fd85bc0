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

// ---------------------------------------------------------------------------------------------
// X Activity API subscriptions, Filtered-Stream links and rules (x-activity-api.md §6, §8)
// ---------------------------------------------------------------------------------------------

/** The filter of an XAA subscription, as X stores it. */
export interface ActivitySubscriptionFilter {
  /** `filter.user_id`: the user whose activity is delivered. */
  readonly userId: string | undefined;
  /** `filter.keyword` (`news.new`). */
  readonly keyword: string | undefined;
  /** `filter.direction` (`inbound`/`outbound` for `like.create`; other values passed through). */
  readonly direction: string | undefined;
}

/** One X Activity API subscription: an event type and a filter, optionally a tag and a webhook. */
export interface ActivitySubscription {
  /** `subscription_id`. */
  readonly id: string;
  /** `event_type`, as X answers it (`chat.conversation_join` comes back as `chat.conversation.join`). */
  readonly eventType: string;
  /** The subscription's filter. */
  readonly filter: ActivitySubscriptionFilter;
  /** The caller's tag, echoed in every delivery; `undefined` when none. */
  readonly tag: string | undefined;
  /** The webhook the events also go to; `undefined` when they go to the stream only. */
  readonly webhookId: string | undefined;
  /** `created_at`, when X sent it. */
  readonly createdAt: Date | undefined;
  /** `updated_at`, when X sent it. */
  readonly updatedAt: Date | undefined;
}

/** The answer to creating or updating an XAA subscription. */
export interface ActivitySubscriptionResult {
  /** The subscription as X stored it. */
  readonly subscription: ActivitySubscription;
  /** The app's active subscriptions after the change (`total_subscriptions`), when X sent it. */
  readonly totalSubscriptions: number | undefined;
}

/** One page of `GET /2/activity/subscriptions`. */
export interface ActivitySubscriptionPage {
  /** The subscriptions of this page (empty when the app has none). */
  readonly subscriptions: readonly ActivitySubscription[];
  /** `meta.next_token`: pass it as `paginationToken` for the next page; `undefined` on the last page. */
  readonly nextToken: string | undefined;
  /** `meta.total_subscriptions`, when X sent it. */
  readonly totalSubscriptions: number | undefined;
  /** `meta.result_count`, when X sent it. */
  readonly resultCount: number | undefined;
}

/** The answer to deleting one XAA subscription. */
export interface ActivitySubscriptionDeletion {
  /** `data.deleted` (true for a 204 without a body). */
  readonly deleted: boolean;
  /** The subscriptions left (`meta.total_subscriptions`), when X sent it. */
  readonly totalSubscriptions: number | undefined;
}

/** The raw answer of one bulk-delete request (internal: `deleteMany` merges the chunks). */
export interface RawActivitySubscriptionsDeleted {
  readonly data: readonly { readonly deleted: boolean; readonly subscriptionId: string | undefined }[];
  readonly errors: readonly {
    readonly subscriptionId: string | undefined;
    readonly reason: string | undefined;
    readonly message: string | undefined;
  }[];
  readonly totalSubscriptions: number | undefined;
}

/** A Filtered-Stream webhook link: a webhook that receives the posts matching the stream's rules. */
export interface StreamLink {
  /** The linked webhook. */
  readonly webhookId: string;
  /** `application_id`, when X sent it. */
  readonly applicationId: string | undefined;
  /** `business_user_id`, when X sent it. */
  readonly businessUserId: string | undefined;
  /** `instance_id`: the Filtered-Stream instance, when X sent it. */
  readonly instanceId: string | undefined;
  /** The fields requested for the deliveries (`tweet.fields=...` entries as X lists them). */
  readonly fields: readonly string[];
  /** When the link was made, when X sent it. */
  readonly createdAt: Date | undefined;
}

/** The answer to linking a webhook to the Filtered Stream. */
export interface StreamLinkCreation {
  /** `data.provisioned`. */
  readonly provisioned: boolean;
}

/** The answer to unlinking a webhook from the Filtered Stream. */
export interface StreamLinkDeletion {
  /** `data.deleted` (true for a 204 without a body). */
  readonly deleted: boolean;
}

/** A Filtered-Stream rule. */
export interface StreamRule {
  /** The rule id. */
  readonly id: string;
  /** The rule's filter expression. */
  readonly value: string;
  /** The rule's tag, echoed in `matching_rules`; `undefined` when none. */
  readonly tag: string | undefined;
}

/** One page of `GET /2/tweets/search/stream/rules`. */
export interface StreamRulePage {
  /** The rules of this page. */
  readonly rules: readonly StreamRule[];
  /** `meta.next_token`; `undefined` on the last page. */
  readonly nextToken: string | undefined;
  /** `meta.result_count`, when X sent it. */
  readonly resultCount: number | undefined;
  /** `meta.sent`, when X sent it. */
  readonly sent: Date | undefined;
}

/** The counts of `meta.summary` of a rules change; each `undefined` when X left it out. */
export interface StreamRulesSummary {
  readonly created: number | undefined;
  readonly notCreated: number | undefined;
  readonly valid: number | undefined;
  readonly invalid: number | undefined;
  readonly deleted: number | undefined;
  readonly notDeleted: number | undefined;
}

/** A rule X did not add or delete (`errors[]` of a rules change answered with success). */
export interface StreamRuleError {
  /** The rule's value, when X named it. */
  readonly value: string | undefined;
  /** The rule's id (an existing duplicate, or the id that was not deleted), when X named it. */
  readonly id: string | undefined;
  /** `title`, such as `DuplicateRule` or `UnprocessableEntity`. */
  readonly title: string | undefined;
  /** `detail` or `message`, when present. */
  readonly detail: string | undefined;
  /** The problem `type` URI, when present. */
  readonly type: string | undefined;
}

/** The answer to `streamRules.add` or `streamRules.delete`. */
export interface StreamRulesResult {
  /** The rules added (with their new ids); empty for a deletion. */
  readonly rules: readonly StreamRule[];
  /** `meta.summary`. */
  readonly summary: StreamRulesSummary;
  /** `meta.sent`, when X sent it. */
  readonly sent: Date | undefined;
  /** Per-rule failures, never thrown: a duplicate or invalid rule does not fail the others. */
  readonly errors: readonly StreamRuleError[];
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

  // ---------------------------------------------------------------------------------------------
  // X Activity API subscriptions (x-activity-api.md §6): every documented envelope
  // ---------------------------------------------------------------------------------------------

  const optionalCount = z.optional(count);
  const optionalTime = z.optional(timestamp);

  const activitySubscription = z.pipe(
    z.looseObject({
      subscription_id: z.string(),
      event_type: z.string(),
      filter: z.optional(
        z.looseObject({
          user_id: z.optional(z.string()),
          keyword: z.optional(z.string()),
          direction: z.optional(z.string()),
        }),
      ),
      tag: z.optional(z.string()),
      webhook_id: z.optional(z.string()),
      created_at: optionalTime,
      updated_at: optionalTime,
    }),
    z.transform(
      (raw): ActivitySubscription => ({
        id: raw.subscription_id,
        eventType: raw.event_type,
        filter: { userId: raw.filter?.user_id, keyword: raw.filter?.keyword, direction: raw.filter?.direction },
        tag: raw.tag,
        webhookId: raw.webhook_id,
        createdAt: raw.created_at,
        updatedAt: raw.updated_at,
      }),
    ),
  );

  const totalMeta = z.optional(z.looseObject({ total_subscriptions: optionalCount }));

  /**
   * Create and update: `{data: {subscription, total_subscriptions?}}` (OAS), `{data: Sub, meta?}` (docs),
   * `{data: [Sub], meta: {total_subscriptions}}` (docs, create).
   */
  const activitySubscriptionResult = z.union([
    z.pipe(
      z.looseObject({
        data: z.looseObject({ subscription: activitySubscription, total_subscriptions: optionalCount }),
        meta: totalMeta,
      }),
      z.transform(
        (raw): ActivitySubscriptionResult => ({
          subscription: raw.data.subscription,
          totalSubscriptions: raw.data.total_subscriptions ?? raw.meta?.total_subscriptions,
        }),
      ),
    ),
    z.pipe(
      z.looseObject({
        data: z.union([activitySubscription, z.tuple([activitySubscription], activitySubscription)]),
        meta: totalMeta,
      }),
      z.transform(
        (raw): ActivitySubscriptionResult => ({
          subscription: Array.isArray(raw.data) ? (raw.data[0] as ActivitySubscription) : raw.data,
          totalSubscriptions: raw.meta?.total_subscriptions,
        }),
      ),
    ),
  ]);

  /** List: `{data?: [Sub], meta?: {total_subscriptions?, next_token?, result_count?}}`. */
  const activitySubscriptionPageSchema = z.pipe(
    z.looseObject({
      data: z.optional(z.array(activitySubscription)),
      meta: z.optional(
        z.looseObject({
          total_subscriptions: optionalCount,
          next_token: z.optional(z.string()),
          result_count: optionalCount,
        }),
      ),
    }),
    z.transform(
      (raw): ActivitySubscriptionPage => ({
        subscriptions: raw.data ?? [],
        nextToken: raw.meta?.next_token === '' ? undefined : raw.meta?.next_token,
        totalSubscriptions: raw.meta?.total_subscriptions,
        resultCount: raw.meta?.result_count,
      }),
    ),
  );

  /** Delete one: `{data: {deleted}}`, docs add `meta.total_subscriptions`; a 204 is taken as deleted. */
  const activitySubscriptionDeletedSchema = z.union([
    z.pipe(
      z.undefined(),
      z.transform((): ActivitySubscriptionDeletion => ({ deleted: true, totalSubscriptions: undefined })),
    ),
    z.pipe(
      z.looseObject({ data: z.looseObject({ deleted: z.boolean() }), meta: totalMeta }),
      z.transform(
        (raw): ActivitySubscriptionDeletion => ({
          deleted: raw.data.deleted,
          totalSubscriptions: raw.meta?.total_subscriptions,
        }),
      ),
    ),
  ]);

  /** Delete many: `{data?: [{deleted, subscription_id}], errors?: [{message, reason, subscription_id}], meta?}`. */
  const activitySubscriptionsDeletedSchema = z.pipe(
    z.looseObject({
      data: z.optional(
        z.array(z.looseObject({ deleted: z.optional(z.boolean()), subscription_id: z.optional(z.string()) })),
      ),
      errors: z.optional(
        z.array(
          z.looseObject({
            subscription_id: z.optional(z.string()),
            reason: z.optional(z.string()),
            message: z.optional(z.string()),
            detail: z.optional(z.string()),
            title: z.optional(z.string()),
            value: z.optional(z.string()),
          }),
        ),
      ),
      meta: totalMeta,
    }),
    z.transform(
      (raw): RawActivitySubscriptionsDeleted => ({
        data: (raw.data ?? []).map((entry) => ({
          deleted: entry.deleted ?? true,
          subscriptionId: entry.subscription_id,
        })),
        errors: (raw.errors ?? []).map((entry) => ({
          subscriptionId: entry.subscription_id ?? entry.value,
          reason: entry.reason ?? entry.title,
          message: entry.message ?? entry.detail,
        })),
        totalSubscriptions: raw.meta?.total_subscriptions,
      }),
    ),
  );

  // ---------------------------------------------------------------------------------------------
  // Filtered-Stream webhook links and rules (x-activity-api.md §8)
  // ---------------------------------------------------------------------------------------------

  const streamLink = z.pipe(
    z.looseObject({
      webhook_id: z.string(),
      application_id: z.optional(z.string()),
      business_user_id: z.optional(z.string()),
      instance_id: z.optional(z.string()),
      fields: z.optional(z.union([z.array(z.string()), z.string()])),
      created_at: optionalTime,
    }),
    z.transform(
      (raw): StreamLink => ({
        webhookId: raw.webhook_id,
        applicationId: raw.application_id,
        businessUserId: raw.business_user_id,
        instanceId: raw.instance_id,
        fields: typeof raw.fields === 'string' ? raw.fields.split(',').filter(Boolean) : (raw.fields ?? []),
        createdAt: raw.created_at,
      }),
    ),
  );

  /** `{data: {links: [...]}}` (docs), `{data: [...]}` (OAS 2.167); no `data` when there are none. */
  const streamLinksSchema = z.pipe(
    z.looseObject({
      data: z.optional(z.union([z.array(streamLink), z.looseObject({ links: z.optional(z.array(streamLink)) })])),
    }),
    z.transform((raw): StreamLink[] => (Array.isArray(raw.data) ? raw.data : (raw.data?.links ?? []))),
  );

  const streamLinkCreatedSchema = z.union([
    z.pipe(
      z.undefined(),
      z.transform((): StreamLinkCreation => ({ provisioned: true })),
    ),
    z.pipe(
      dataOrBare(z.looseObject({ provisioned: z.boolean() })),
      z.transform((raw): StreamLinkCreation => ({ provisioned: raw.provisioned })),
    ),
  ]);

  const streamLinkDeletedSchema = z.union([
    z.pipe(
      z.undefined(),
      z.transform((): StreamLinkDeletion => ({ deleted: true })),
    ),
    z.pipe(
      dataOrBare(z.looseObject({ deleted: z.boolean() })),
      z.transform((raw): StreamLinkDeletion => ({ deleted: raw.deleted })),
    ),
  ]);

  const streamRule = z.pipe(
    z.looseObject({ id: z.string(), value: z.string(), tag: z.optional(z.string()) }),
    z.transform((raw): StreamRule => ({ id: raw.id, value: raw.value, tag: raw.tag })),
  );

  const sentAt = z.optional(
    z.union([
      timestamp,
      z.pipe(
        z.unknown(),
        z.transform((): undefined => undefined),
      ),
    ]),
  );

  /** `{data?: [Rule], meta: {sent, result_count, next_token?}}`; `data` is left out when there are no rules. */
  const streamRulePageSchema = z.pipe(
    z.looseObject({
      data: z.optional(z.array(streamRule)),
      meta: z.optional(
        z.looseObject({ sent: sentAt, result_count: optionalCount, next_token: z.optional(z.string()) }),
      ),
    }),
    z.transform(
      (raw): StreamRulePage => ({
        rules: raw.data ?? [],
        nextToken: raw.meta?.next_token === '' ? undefined : raw.meta?.next_token,
        resultCount: raw.meta?.result_count,
        sent: raw.meta?.sent,
      }),
    ),
  );

  /** `{data?, meta: {sent, summary: {created, not_created, valid, invalid} | {deleted, not_deleted}}, errors?}`. */
  const streamRulesChangedSchema = z.pipe(
    z.looseObject({
      data: z.optional(z.array(streamRule)),
      meta: z.optional(
        z.looseObject({
          sent: sentAt,
          summary: z.optional(
            z.looseObject({
              created: optionalCount,
              not_created: optionalCount,
              valid: optionalCount,
              invalid: optionalCount,
              deleted: optionalCount,
              not_deleted: optionalCount,
            }),
          ),
        }),
      ),
      errors: z.optional(
        z.array(
          z.looseObject({
            value: z.optional(z.string()),
            id: z.optional(z.string()),
            title: z.optional(z.string()),
            detail: z.optional(z.string()),
            message: z.optional(z.string()),
            type: z.optional(z.string()),
          }),
        ),
      ),
    }),
    z.transform((raw): StreamRulesResult => {
      const summary = raw.meta?.summary;
      return {
        rules: raw.data ?? [],
        summary: {
          created: summary?.created,
          notCreated: summary?.not_created,
          valid: summary?.valid,
          invalid: summary?.invalid,
          deleted: summary?.deleted,
          notDeleted: summary?.not_deleted,
        },
        sent: raw.meta?.sent,
        errors: (raw.errors ?? []).map((entry) => ({
          value: entry.value,
          id: entry.id,
          title: entry.title,
          detail: entry.detail ?? entry.message,
          type: entry.type,
        })),
      };
    }),
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
    activitySubscriptionCreated: activitySubscriptionResult,
    activitySubscriptionPage: activitySubscriptionPageSchema,
    activitySubscriptionUpdated: activitySubscriptionResult,
    activitySubscriptionDeleted: activitySubscriptionDeletedSchema,
    activitySubscriptionsDeleted: activitySubscriptionsDeletedSchema,
    /** Never used to parse: the stream is read line by line (`activity-stream.ts`). */
    streamOpened: z.unknown(),
    streamLinkCreated: streamLinkCreatedSchema,
    streamLinkDeleted: streamLinkDeletedSchema,
    streamLinks: streamLinksSchema,
    streamRulesChanged: streamRulesChangedSchema,
    streamRulePage: streamRulePageSchema,
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

/** What a value is, in the words of zod's messages (`undefined`, `string`, `array`, `null`, ...). */
function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : typeof value;
}

const literal = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : String(value));

/**
 * zod's English messages for the issues these schemas can raise, in zod's own words (`Invalid input:
 * expected string, received undefined`), without zod's locale module: it is a kilobyte of the client
 * bundle (min+gzip) for messages of a few shapes. Any other issue gets zod's `Invalid input`.
 */
const english: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${issue.expected}, received ${kind(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `Invalid input: expected ${literal(issue.values[0])}`
        : `Invalid option: expected one of ${issue.values.map(literal).join('|')}`;
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      const relation = `${issue.inclusive ? (small ? '>=' : '<=') : small ? '>' : '<'}${String(bound)}`;
      const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
      const verb = unit === '' ? 'be' : 'have';
      return `Too ${small ? 'small' : 'big'}: expected ${issue.origin} to ${verb} ${relation}${unit}`;
    }
    case 'invalid_format':
      return `Invalid ${issue.format}`;
    default:
      return undefined;
  }
};

/**
 * Checks `data` against `schema`, with English messages on the issues (see `english`). `zod/mini`
 * loads no locale of its own, so the messages are passed per call: they read the same whatever locale,
 * if any, the application configured for its own zod.
 */
export function parseResponse<T>(schema: ResponseSchema<T>, data: unknown): z.core.util.SafeParseResult<T> {
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
