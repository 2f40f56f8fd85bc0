/**
 * The listener registry of a webhook handler: `on`, `onAny`, `onError`, and running the listeners of
 * one event.
 *
 * @internal
 * @packageDocumentation
 */
import { InvalidArgumentError, ListenerError, type XAccountActivityError } from '../errors.js';
import {
  ACTIVITY_FAMILIES,
  ACTIVITY_TYPES,
  type AccountActivityEvent,
  type ActivityFamily,
  type ActivityType,
} from '../events/types.js';
import { type SafeLogger, describeThrown } from './logger.js';

/**
 * A listener for events of some types. It may return anything: a promise is awaited before X gets its
 * answer, and a rejection (or a throw) makes the answer 500 so that X retries. Arrow functions that
 * return a value are fine: `handler.on('favorite', (event) => store.save(event))`.
 */
export type ActivityListener<E> = (event: E) => unknown;

/** A listener for errors: refused requests and listener failures. Its result is awaited; a failure is logged. */
export type ErrorListener = (error: XAccountActivityError) => unknown;

type AnyListener = ActivityListener<AccountActivityEvent>;

/** @internal Listeners by event type, listeners of every event, and error listeners. */
export class ListenerRegistry {
  readonly #typed = new Map<ActivityType | ActivityFamily, Set<AnyListener>>();
  readonly #any = new Set<AnyListener>();
  readonly #errors = new Set<ErrorListener>();
  readonly #logger: SafeLogger;

  constructor(logger: SafeLogger) {
    this.#logger = logger;
  }

  /**
   * Adds `listener` for each of `types` (checked against the known types, or with `family` against
   * the families); returns its remover.
   */
  on(types: readonly string[], listener: AnyListener, family?: boolean): () => void {
    const known: readonly string[] = family ? ACTIVITY_FAMILIES : ACTIVITY_TYPES;
    for (const type of types) {
      if (!known.includes(type)) {
        throw new InvalidArgumentError(
          `handler.${family ? 'onFamily' : 'on'}(): unknown ${family ? 'family' : 'event type'} ${JSON.stringify(type)}. Known: ${known.join(', ')}.`,
        );
      }
    }
    const removers = types.map((type) => {
      let set = this.#typed.get(type as ActivityType);
      if (!set) {
        set = new Set();
        this.#typed.set(type as ActivityType, set);
      }
      return add(set, listener);
    });
    return () => {
      for (const remove of removers) remove();
    };
  }

  onAny(listener: AnyListener): () => void {
    return add(this.#any, listener);
  }

  onError(listener: ErrorListener): () => void {
    return add(this.#errors, listener);
  }

  /**
   * Runs every listener of `event` together; one {@link ListenerError} per listener that failed, in
   * listener order. Synchronous when no listener returns a promise (the usual handler: no promise, no
   * extra turn of the event loop); otherwise a promise of the same list once every listener settled.
   */
  run(event: AccountActivityEvent): ListenerError[] | Promise<ListenerError[]> {
    const forType = this.#typed.get(event.type);
    const forFamily = event.family === undefined ? undefined : this.#typed.get(event.family);
    const listeners = [...(forType ?? []), ...(forFamily ?? []), ...this.#any];
    const outcomes: (ListenerError | Promise<ListenerError | undefined>)[] = [];
    let pending = false;
    for (const listener of listeners) {
      try {
        const result: unknown = listener(event);
        if (isThenable(result)) {
          pending = true;
          outcomes.push(
            Promise.resolve(result).then(
              () => undefined,
              (reason: unknown) => failure(event, reason),
            ),
          );
        }
      } catch (thrown) {
        outcomes.push(failure(event, thrown));
      }
    }
    if (!pending) return outcomes as ListenerError[];
    return Promise.all(outcomes).then((settled) => settled.filter((found) => found !== undefined));
  }

  /** Hands `error` to every error listener in turn; a failing one is logged, never thrown. */
  async report(error: XAccountActivityError): Promise<void> {
    for (const listener of this.#errors) {
      try {
        await listener(error);
      } catch (thrown) {
        this.#logger.error('An onError listener threw', { error: describeThrown(thrown) });
      }
    }
  }
}

function failure(event: AccountActivityEvent, reason: unknown): ListenerError {
  const message = `A listener for "${event.type}" failed: ${describeThrown(reason)}`;
  return new ListenerError(message, event, { cause: reason });
}

/** Whether a listener's answer is a promise (or any thenable) to wait for. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function add<L>(set: Set<L>, listener: L): () => void {
  if (typeof listener !== 'function') throw new InvalidArgumentError('A listener must be a function.');
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}
