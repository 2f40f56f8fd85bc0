/**
 * "Make accounts act": the emulator's activity functions behind one small command set that the
 * dashboard's JSON API exposes (`POST /api/act`), plus a tour that produces every activity kind but
 * the revoke, and a backdated history to replay.
 */
import type { Emulator } from 'x-account-activity/testing';

/** What `POST /api/act` accepts. */
export interface ActRequest {
  /** One of {@link ACTIONS}. */
  readonly action: string;
  /** Who acts (screen name or id). */
  readonly actor: string;
  /** The other account (screen name or id), for actions that need one. */
  readonly target?: string | undefined;
  /** Text of a post, reply, quote or DM. */
  readonly text?: string | undefined;
  /** Backdates the activity by this many minutes (for replay windows). */
  readonly minutesAgo?: number | undefined;
}

/** The actions, with what they need and a short help text for the page. */
export const ACTIONS = {
  post: { target: false, help: 'actor posts the text' },
  mention: { target: true, help: 'actor posts "@target text"' },
  reply: { target: true, help: "actor replies to target's latest post" },
  retweet: { target: true, help: "actor retweets target's latest post" },
  quote: { target: true, help: "actor quotes target's latest post" },
  retweet_quote: { target: true, help: "actor retweets target's latest quote post" },
  like: { target: true, help: "actor likes target's latest post" },
  delete: { target: false, help: 'actor deletes their latest post' },
  follow: { target: true, help: 'actor follows target' },
  unfollow: { target: true, help: 'actor unfollows target' },
  block: { target: true, help: 'actor blocks target' },
  unblock: { target: true, help: 'actor unblocks target' },
  mute: { target: true, help: 'actor mutes target' },
  unmute: { target: true, help: 'actor unmutes target' },
  dm: { target: true, help: 'actor sends target a DM' },
  typing: { target: true, help: 'actor is typing a DM to target' },
  read: { target: true, help: "actor reads target's DMs" },
  revoke: { target: false, help: 'actor revokes the app (their subscription goes, their tokens stop working)' },
} as const;

/** An action name. */
export type ActionName = keyof typeof ACTIONS;

/** A refused action: the page shows the message. */
export class ActionError extends Error {
  override readonly name = 'ActionError';
}

const isAction = (name: string): name is ActionName => Object.hasOwn(ACTIONS, name);

/** Runs actions against an emulator, remembering each account's latest post, quote and DM. */
export class EmulatorActions {
  readonly #emulator: Emulator;
  readonly #lastPost = new Map<string, string>();
  readonly #lastQuote = new Map<string, string>();
  readonly #lastDm = new Map<string, string>();

  constructor(emulator: Emulator) {
    this.#emulator = emulator;
  }

  /** Runs one action; resolves with the number of deliveries it made. */
  async act(request: ActRequest): Promise<{ readonly deliveries: number }> {
    const { action, text } = request;
    if (!isAction(action))
      throw new ActionError(`Unknown action "${action}". Use one of: ${Object.keys(ACTIONS).join(', ')}.`);
    const actor = this.#account(request.actor);
    const needsTarget = ACTIONS[action].target;
    const target = needsTarget ? this.#account(request.target) : undefined;
    if (target && target.id === actor.id) throw new ActionError(`@${actor.screenName} cannot ${action} themselves.`);
    const minutesAgo = request.minutesAgo ?? 0;
    if (!Number.isFinite(minutesAgo) || minutesAgo < 0 || minutesAgo > 5 * 24 * 60) {
      throw new ActionError('minutesAgo must be a number of minutes between 0 and 7200.');
    }
    const options = minutesAgo > 0 ? { at: new Date(Date.now() - minutesAgo * 60_000) } : {};
    const activity = this.#emulator.activity;
    const say = text !== undefined && text.trim() !== '' ? text.slice(0, 280) : undefined;
    const t = target as NonNullable<typeof target>;
    let result: { readonly deliveries: readonly unknown[] };
    switch (action) {
      case 'post': {
        const r = await activity.post(actor, say ?? `Hello from @${actor.screenName}`, options);
        this.#lastPost.set(actor.id, r.tweet.id_str);
        result = r;
        break;
      }
      case 'mention': {
        const r = await activity.mention(actor, t, say ?? 'have a look at this', options);
        this.#lastPost.set(actor.id, r.tweet.id_str);
        result = r;
        break;
      }
      case 'reply': {
        const r = await activity.reply(actor, this.#postOf(t), say ?? 'Nice one!', options);
        this.#lastPost.set(actor.id, r.tweet.id_str);
        result = r;
        break;
      }
      case 'retweet':
        result = await activity.retweet(actor, this.#postOf(t), options);
        break;
      case 'quote': {
        const r = await activity.quote(actor, this.#postOf(t), say ?? 'Worth reading', options);
        this.#lastPost.set(actor.id, r.tweet.id_str);
        this.#lastQuote.set(actor.id, r.tweet.id_str);
        result = r;
        break;
      }
      case 'retweet_quote': {
        const quote = this.#lastQuote.get(t.id);
        if (quote === undefined)
          throw new ActionError(`@${t.screenName} has no quote post yet: make them quote a post first.`);
        result = await activity.retweet(actor, quote, options);
        break;
      }
      case 'like':
        result = await activity.like(actor, this.#postOf(t), options);
        break;
      case 'delete': {
        const post = this.#postOf(actor);
        result = await activity.deleteTweet(actor, post, options);
        this.#lastPost.delete(actor.id);
        if (this.#lastQuote.get(actor.id) === post) this.#lastQuote.delete(actor.id);
        break;
      }
      case 'follow':
      case 'unfollow':
      case 'block':
      case 'unblock':
      case 'mute':
      case 'unmute':
        result = await activity[action](actor, t, options);
        break;
      case 'dm': {
        const r = await activity.sendDirectMessage(actor, t, say ?? `Hi @${t.screenName}!`, options);
        this.#lastDm.set(`${actor.id}>${t.id}`, r.event.id);
        result = r;
        break;
      }
      case 'typing':
        result = await activity.typing(actor, t, options);
        break;
      case 'read': {
        const last = this.#lastDm.get(`${t.id}>${actor.id}`);
        if (last === undefined) throw new ActionError(`@${t.screenName} has sent @${actor.screenName} no DM yet.`);
        result = await activity.markRead(actor, t, last, options);
        break;
      }
      case 'revoke':
        result = await activity.revoke(actor, options);
        break;
    }
    return { deliveries: result.deliveries.length };
  }

  /**
   * Every activity kind except the revoke, in a readable order (18 kinds). The accounts alice, bob
   * and carol must exist (the emulator's defaults).
   */
  async tour(): Promise<{ readonly steps: number; readonly deliveries: number }> {
    const steps: ActRequest[] = [
      { action: 'post', actor: 'alice', text: 'Hello from the emulator 👋' },
      { action: 'mention', actor: 'bob', target: 'alice', text: 'welcome aboard' },
      { action: 'reply', actor: 'bob', target: 'alice', text: 'Hi Alice!' },
      { action: 'retweet', actor: 'carol', target: 'alice' },
      { action: 'quote', actor: 'carol', target: 'alice', text: 'Worth reading' },
      { action: 'retweet_quote', actor: 'bob', target: 'carol' },
      { action: 'like', actor: 'bob', target: 'alice' },
      { action: 'follow', actor: 'alice', target: 'bob' },
      { action: 'unfollow', actor: 'alice', target: 'bob' },
      { action: 'mute', actor: 'alice', target: 'carol' },
      { action: 'unmute', actor: 'alice', target: 'carol' },
      { action: 'block', actor: 'alice', target: 'carol' },
      { action: 'unblock', actor: 'alice', target: 'carol' },
      { action: 'dm', actor: 'bob', target: 'alice', text: 'Lunch tomorrow?' },
      { action: 'typing', actor: 'alice', target: 'bob' },
      { action: 'read', actor: 'alice', target: 'bob' },
      { action: 'delete', actor: 'alice' },
    ];
    let deliveries = 0;
    for (const step of steps) deliveries += (await this.act(step)).deliveries;
    return { steps: steps.length, deliveries };
  }

  /**
   * A little history between 60 and 45 minutes ago, so that a replay window such as "the last two
   * hours up to 15 minutes ago" has something to re-deliver.
   */
  async history(): Promise<{ readonly steps: number; readonly deliveries: number }> {
    const steps: ActRequest[] = [
      { action: 'post', actor: 'carol', text: 'An older post, to replay', minutesAgo: 60 },
      { action: 'like', actor: 'alice', target: 'carol', minutesAgo: 55 },
      { action: 'follow', actor: 'bob', target: 'carol', minutesAgo: 50 },
      { action: 'dm', actor: 'carol', target: 'bob', text: 'See you at the meetup', minutesAgo: 45 },
    ];
    let deliveries = 0;
    for (const step of steps) deliveries += (await this.act(step)).deliveries;
    return { steps: steps.length, deliveries };
  }

  #account(ref: string | undefined): ReturnType<Emulator['account']> {
    if (ref === undefined || ref === '') throw new ActionError('Choose an account.');
    try {
      return this.#emulator.account(ref.replace(/^@/, ''));
    } catch {
      throw new ActionError(`Unknown emulated account "${ref}".`);
    }
  }

  #postOf(account: { readonly id: string; readonly screenName: string }): string {
    const post = this.#lastPost.get(account.id);
    if (post === undefined) throw new ActionError(`@${account.screenName} has no post yet: make them post first.`);
    return post;
  }
}
