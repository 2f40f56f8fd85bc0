/**
 * A small matcher for Filtered-Stream rule values, enough to drive the emulator's Filtered-Stream
 * webhook deliveries. Supported: keywords (whole tokens, case-insensitive), `"quoted phrases"`,
 * `from:user`, `to:user`, `@mention`, `#hashtag`, `lang:xx`, `is:retweet`, `is:reply`, `is:quote`,
 * `retweets_of:user`, implicit AND (a space), `OR`, negation `-`, and parentheses. Any other operator
 * (`has:links`, `url:`, `place:`, `sample:`, `embedding:`...) is accepted but never matches, so its
 * negation always matches. Rule values longer than 2,048 characters, unbalanced parentheses or quotes,
 * a dangling `OR`, a rule made only of negations, and an empty rule are refused, as X does.
 */

/** What a rule is tested against. */
export interface RuleSubject {
  readonly text: string;
  readonly authorId: string;
  readonly authorUsername: string;
  readonly lang: string;
  /** Usernames (lower case) and ids of mentioned accounts. */
  readonly mentions: readonly { readonly username: string; readonly id: string }[];
  readonly inReplyToUserId: string | undefined;
  readonly inReplyToUsername: string | undefined;
  readonly isRetweet: boolean;
  readonly isQuote: boolean;
  readonly retweetOfUsername: string | undefined;
  readonly retweetOfUserId: string | undefined;
}

type Node =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Node[] }
  | { readonly kind: 'not'; readonly item: Node }
  | { readonly kind: 'test'; readonly test: (s: RuleSubject) => boolean; readonly positive: boolean };

/** A compiled rule, or why it is invalid. */
export type CompiledRule =
  | { readonly ok: true; readonly matches: (subject: RuleSubject) => boolean }
  | { readonly ok: false; readonly details: readonly string[] };

/** The longest rule value accepted (X's limit for enterprise projects). */
export const MAX_RULE_LENGTH = 2048;

const tokensOf = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}_#@$']+/gu) ?? [];

function words(text: string): string[] {
  return tokensOf(text).map((t) => t.replace(/^[#@$]+/, '').replace(/'s$/, ''));
}

function tokenize(value: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')') {
      out.push(c);
      i += 1;
    } else if (c === '"' || (c === '-' && value[i + 1] === '"')) {
      const start = c === '-' ? i + 1 : i;
      const end = value.indexOf('"', start + 1);
      if (end < 0) return 'Unbalanced quotes in the rule.';
      out.push(value.slice(i, end + 1));
      i = end + 1;
    } else {
      let j = i;
      while (j < value.length && !/[\s()]/.test(value[j] ?? '')) {
        if (value[j] === '"') {
          const end = value.indexOf('"', j + 1);
          if (end < 0) return 'Unbalanced quotes in the rule.';
          j = end + 1;
        } else j += 1;
      }
      out.push(value.slice(i, j));
      i = j;
    }
  }
  return out;
}

function atom(token: string): Node {
  const lower = token.toLowerCase();
  const test = (fn: (s: RuleSubject) => boolean): Node => ({ kind: 'test', test: fn, positive: true });
  if (lower.startsWith('"')) {
    const phrase = words(lower.slice(1, -1)).join(' ');
    return test((s) => ` ${words(s.text).join(' ')} `.includes(` ${phrase} `));
  }
  if (lower.startsWith('@') && lower.length > 1) {
    const name = lower.slice(1);
    return test((s) => s.mentions.some((m) => m.username.toLowerCase() === name) || tokensOf(s.text).includes(lower));
  }
  if (lower.startsWith('#') && lower.length > 1) return test((s) => tokensOf(s.text).includes(lower));
  const colon = lower.indexOf(':');
  if (colon > 0) {
    const op = lower.slice(0, colon);
    const arg = lower.slice(colon + 1).replace(/^@/, '');
    const user = (name: string | undefined, id: string | undefined): boolean =>
      (name !== undefined && name.toLowerCase() === arg) || (id !== undefined && id === arg);
    switch (op) {
      case 'from':
        return test((s) => user(s.authorUsername, s.authorId));
      case 'to':
        return test((s) => user(s.inReplyToUsername, s.inReplyToUserId));
      case 'retweets_of':
        return test((s) => s.isRetweet && user(s.retweetOfUsername, s.retweetOfUserId));
      case 'lang':
        return test((s) => s.lang.toLowerCase() === arg);
      case 'is':
        if (arg === 'retweet') return test((s) => s.isRetweet);
        if (arg === 'reply') return test((s) => s.inReplyToUserId !== undefined);
        if (arg === 'quote') return test((s) => s.isQuote);
        return test(() => false);
      default:
        // Not emulated: accepted, never matches.
        return test(() => false);
    }
  }
  const word = words(lower).join(' ');
  if (word.includes(' ')) return test((s) => ` ${words(s.text).join(' ')} `.includes(` ${word} `));
  return test((s) => words(s.text).includes(word));
}

/** Whether a node can match on its own (not only negations). */
function positive(node: Node): boolean {
  if (node.kind === 'test') return node.positive;
  if (node.kind === 'not') return false;
  if (node.kind === 'or') return node.items.every(positive);
  return node.items.some(positive);
}

function evaluate(node: Node, subject: RuleSubject): boolean {
  switch (node.kind) {
    case 'test':
      return node.test(subject);
    case 'not':
      return !evaluate(node.item, subject);
    case 'and':
      return node.items.every((n) => evaluate(n, subject));
    case 'or':
      return node.items.some((n) => evaluate(n, subject));
  }
}

/**
 * Compiles a rule value.
 *
 * @example
 * ```ts
 * const rule = compileRule('cat OR dog -is:retweet');
 * ```
 */
export function compileRule(value: string): CompiledRule {
  if (value.trim() === '') return { ok: false, details: ['The rule is empty.'] };
  if (value.length > MAX_RULE_LENGTH) {
    return { ok: false, details: [`Rule length exceeds the maximum of ${MAX_RULE_LENGTH} characters.`] };
  }
  const tokens = tokenize(value);
  if (typeof tokens === 'string') return { ok: false, details: [tokens] };
  let pos = 0;
  let error: string | undefined;
  const never: Node = { kind: 'test', test: () => false, positive: true };
  const fail = (message: string): Node => {
    error ??= message;
    pos = tokens.length;
    return never;
  };
  const parseOr = (): Node => {
    const items = [parseAnd()];
    while (tokens[pos] === 'OR') {
      pos += 1;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as Node) : { kind: 'or', items };
  };
  const parseAnd = (): Node => {
    const items: Node[] = [];
    while (pos < tokens.length && tokens[pos] !== ')' && tokens[pos] !== 'OR') items.push(parseUnary());
    if (items.length === 0) return fail(pos > 0 ? 'Dangling OR in the rule.' : 'The rule is empty.');
    return items.length === 1 ? (items[0] as Node) : { kind: 'and', items };
  };
  const parseUnary = (): Node => {
    const token = tokens[pos] ?? '';
    if (token === '-') {
      if (tokens[pos + 1] !== '(') return fail('A negation must be followed by a term.');
      pos += 1;
      return { kind: 'not', item: parsePrimary() };
    }
    if (token.startsWith('-') && token.length > 1) {
      pos += 1;
      return { kind: 'not', item: atom(token.slice(1)) };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Node => {
    const token = tokens[pos] ?? '';
    if (token === '(') {
      pos += 1;
      const inner = parseOr();
      if (tokens[pos] !== ')') return fail('Unbalanced parentheses in the rule.');
      pos += 1;
      return inner;
    }
    if (token === ')') return fail('Unbalanced parentheses in the rule.');
    pos += 1;
    return atom(token);
  };
  const root = parseOr();
  if (error === undefined && pos < tokens.length) fail('Unbalanced parentheses in the rule.');
  if (error !== undefined) return { ok: false, details: [error] };
  if (!positive(root)) return { ok: false, details: ['Rules must contain a non-negation term.'] };
  return { ok: true, matches: (subject) => evaluate(root, subject) };
}
