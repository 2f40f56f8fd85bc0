// The dashboard page: server-sent events in, a small JSON API out. No framework, no build step.
// Everything the server sends is written with textContent, never parsed as HTML.

const $ = (id) => document.getElementById(id);
const state = {
  mode: 'emulator',
  webhookId: undefined,
  kinds: {},
  accounts: [],
  counts: {},
  total: 0,
  xaaTypes: [],
  privateXaaTypes: [],
};
const FAMILY_NAMES = { aaa: 'AAA', xaa: 'XAA', filtered_stream: 'Filtered Stream', unknown: '?' };
// Text badges of XAA events, by the group of their event type (the part before the first dot).
const XAA_TEXT_BADGE = {
  post: 'P',
  like: 'LK',
  follow: 'FO',
  block: 'BL',
  mute: 'MU',
  profile: 'PR',
  dm: 'DM',
  chat: 'CH',
  news: 'NW',
  spaces: 'SP',
  broadcast: 'BC',
  oauth: 'RV',
};

/** The text badge of an event when this browser has no emoji font. */
function textBadge(kind, family, label) {
  if (family === 'filtered_stream') return 'FS';
  if (family === 'xaa') return XAA_TEXT_BADGE[String(label).split('.')[0]] || 'XA';
  return TEXT_BADGE[kind] || '?';
}
const NOT_ACTIVITY = new Set(['replay_status', 'unknown']);

// Colour families, and short text badges for browsers without an emoji font (headless Chromium on
// a bare server, for one).
const FAMILY = {
  post: 'post',
  post_delete: 'post',
  mention: 'post',
  reply: 'post',
  retweet: 'post',
  quote: 'post',
  retweet_of_quote: 'post',
  like: 'like',
  follow: 'follow',
  unfollow: 'follow',
  block: 'moderation',
  unblock: 'moderation',
  mute: 'moderation',
  unmute: 'moderation',
  dm_sent: 'dm',
  dm_received: 'dm',
  typing: 'dm',
  read: 'dm',
  revoke: 'revoke',
  replay_status: 'replay',
  unknown: 'unknown',
};
const TEXT_BADGE = {
  post: 'P',
  post_delete: 'DEL',
  mention: '@',
  reply: 'RE',
  retweet: 'RT',
  quote: 'QT',
  retweet_of_quote: 'RQ',
  like: 'LK',
  follow: '+F',
  unfollow: '-F',
  block: 'BL',
  unblock: 'UB',
  mute: 'MU',
  unmute: 'UM',
  dm_sent: 'DM',
  dm_received: 'DM',
  typing: '...',
  read: 'RD',
  revoke: 'RV',
  replay_status: 'RP',
  unknown: '?',
};

/** True when the browser draws `text` with a real glyph rather than the "missing glyph" box. */
function canDraw(text) {
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 32;
  const ctx = canvas.getContext('2d');
  if (!ctx) return true;
  ctx.font = '24px sans-serif';
  ctx.textBaseline = 'top';
  const pixels = (value) => {
    ctx.clearRect(0, 0, 32, 32);
    ctx.fillText(value, 0, 0);
    return ctx.getImageData(0, 0, 32, 32).data.join();
  };
  return pixels(text) !== pixels('\u{10FFFD}');
}
let emoji;

/** The colour class of an event: by kind for AAA, by family for XAA and Filtered Stream. */
function colourOf(kind, family) {
  return family === 'xaa' || family === 'filtered_stream' ? `family-${family}` : `family-${FAMILY[kind] || 'unknown'}`;
}

/** The kind's glyph, or for every kind its text badge when this browser has no emoji font. */
function glyphFor(kind, glyph, family = 'aaa', label = '') {
  if (emoji === undefined) emoji = canDraw('\u{1F4DD}');
  const colour = colourOf(kind, family);
  return emoji
    ? el('span', `glyph ${colour}`, glyph)
    : el('span', `glyph badge-glyph ${colour}`, textBadge(kind, family, label));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function say(target, text, isError = false) {
  const node = $(target);
  node.textContent = text;
  node.classList.toggle('error', isError);
}

/** Runs an async click handler with its button disabled, reporting errors in `status`. */
function busy(button, status, work) {
  return async () => {
    button.disabled = true;
    try {
      await work();
    } catch (error) {
      say(status, error.message, true);
    } finally {
      button.disabled = false;
    }
  };
}

// ---- the feed -------------------------------------------------------------------------------

function formatTime(iso) {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
}

function addEvent(item) {
  const family = item.family || 'unknown';
  const li = el(
    'li',
    `event kind-${item.kind} fam-${family} ${colourOf(item.kind, family)}${item.delivery === 'duplicate' ? ' duplicate' : ''}`,
  );
  li.dataset.kind = item.kind;
  li.dataset.label = item.label;
  li.dataset.delivery = item.delivery;
  li.dataset.family = family;
  li.dataset.via = item.via || 'webhook';
  li.title = `${item.key}\nreceived ${item.receivedAt}`;
  li.append(glyphFor(item.kind, item.glyph, family, item.label));
  const main = el('div', 'main');
  const head = el('div', 'head');
  head.append(el('span', `fam-badge fam-${family}`, FAMILY_NAMES[family] || family));
  if (item.via === 'stream') head.append(el('span', 'via-badge', 'via activity stream'));
  head.append(el('strong', 'label', item.label));
  if (item.actor) head.append(el('span', 'actor', item.actor));
  if (item.direction) head.append(el('span', 'direction', item.direction));
  main.append(head);
  if (item.text) main.append(el('div', 'text', item.text));
  const meta = el('div', 'meta');
  if (item.forUser !== '-') meta.append(el('span', 'for', `for ${item.forUser}`));
  const time = el('time', 'time', formatTime(item.time));
  time.dateTime = item.time;
  meta.append(time);
  if (item.delivery === 'duplicate') meta.append(el('span', 'badge', 'seen before · dropped by dedup'));
  main.append(meta);
  li.append(main);
  $('feed').prepend(li);
  $('feed-empty').hidden = true;
  state.total += 1;
  $('count').textContent = String(state.total);
  if (item.delivery === 'new' && family === 'aaa') {
    state.counts[item.kind] = (state.counts[item.kind] || 0) + 1;
    const badge = document.querySelector(`#legend [data-kind="${item.kind}"] .n`);
    if (badge) badge.textContent = String(state.counts[item.kind]);
  }
}

function renderLegend() {
  const list = $('legend');
  list.replaceChildren();
  for (const [kind, { label, glyph }] of Object.entries(state.kinds)) {
    if (NOT_ACTIVITY.has(kind)) continue;
    const li = el('li');
    li.dataset.kind = kind;
    li.append(glyphFor(kind, glyph), el('span', 'name', label), el('span', 'n', String(state.counts[kind] || 0)));
    list.append(li);
  }
}

// ---- the replay panel -----------------------------------------------------------------------

let replayShown = { jobId: '', version: -1 };

function showReplay(job) {
  // The stream and the API answer race: keep the latest state of a job.
  if (job.jobId === replayShown.jobId && job.version < replayShown.version) return;
  replayShown = { jobId: job.jobId, version: job.version };
  $('replay').hidden = false;
  $('replay-job').textContent = job.jobId;
  $('replay-state').textContent = job.state;
  $('replay-state').className = `pill ${job.state === 'running' ? 'off' : job.state === 'Complete' ? 'ok' : 'bad'}`;
  $('replay-received').textContent = String(job.received);
  $('replay-description').textContent = job.description || `window ${formatTime(job.from)} → ${formatTime(job.to)}`;
}

function toLocalInput(date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

// ---- the event stream -----------------------------------------------------------------------

function connect() {
  const source = new EventSource('/events');
  source.onopen = () => {
    $('connection').textContent = 'live';
    $('connection').className = 'pill ok';
  };
  source.onerror = () => {
    $('connection').textContent = 'reconnecting';
    $('connection').className = 'pill off';
  };
  source.addEventListener('activity', (message) => {
    addEvent(JSON.parse(message.data));
  });
  source.addEventListener('replay', (message) => showReplay(JSON.parse(message.data)));
  source.addEventListener('stream-state', (message) => showStreamState(JSON.parse(message.data)));
  source.addEventListener('bye', () => {
    source.close();
    $('connection').textContent = 'server stopped';
    $('connection').className = 'pill bad';
  });
}

// ---- webhooks and subscriptions -------------------------------------------------------------

async function loadWebhooks() {
  const box = $('webhooks');
  let data;
  try {
    data = await call('GET', '/api/webhooks');
  } catch (error) {
    box.replaceChildren(el('p', 'error', error.message));
    return;
  }
  box.replaceChildren();
  if (data.webhooks.length === 0) box.append(el('p', 'muted', 'No webhook registered.'));
  for (const hook of data.webhooks) {
    const card = el('div', 'webhook');
    card.dataset.webhookId = hook.id;
    const head = el('div', 'webhook-head');
    head.append(
      el('code', 'id', hook.id),
      el('span', `pill ${hook.valid ? 'ok' : 'bad'}`, hook.valid ? 'valid' : 'invalid'),
    );
    if (hook.mine) head.append(el('span', 'pill', 'this dashboard'));
    const validate = el('button', 'quiet', 'Re-validate (CRC)');
    validate.type = 'button';
    validate.dataset.action = 'validate';
    validate.addEventListener(
      'click',
      busy(validate, 'hooks-status', async () => {
        const result = await call('POST', `/api/webhooks/${hook.id}/validate`);
        await loadWebhooks();
        say('hooks-status', `CRC ${result.valid === false ? 'failed' : 'passed'} for webhook ${hook.id}.`);
      }),
    );
    head.append(validate);
    card.append(head, el('div', 'url', hook.url));

    const subs = el('ul', 'subs');
    if (hook.error) subs.append(el('li', 'error', hook.error));
    else if (hook.subscriptions.length === 0) subs.append(el('li', 'muted', 'No subscriptions.'));
    for (const sub of hook.subscriptions) {
      const li = el('li');
      li.dataset.userId = sub.userId;
      li.append(el('span', 'user', sub.user));
      const remove = el('button', 'quiet danger', 'Remove');
      remove.type = 'button';
      remove.addEventListener(
        'click',
        busy(remove, 'hooks-status', async () => {
          await call('DELETE', `/api/webhooks/${hook.id}/subscriptions/${sub.userId}`);
          await loadWebhooks();
          say('hooks-status', `Removed ${sub.user} from webhook ${hook.id}.`);
        }),
      );
      li.append(remove);
      subs.append(li);
    }
    card.append(subs);

    const form = el('form', 'subscribe');
    let select;
    if (state.mode === 'emulator') {
      select = el('select');
      select.name = 'account';
      for (const account of state.accounts) select.append(new Option(`@${account.screenName}`, account.screenName));
      form.append(select);
    }
    const add = el('button', '', state.mode === 'emulator' ? 'Subscribe' : 'Subscribe the app owner');
    add.type = 'submit';
    form.append(add);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(add, 'hooks-status', async () => {
        await call('POST', `/api/webhooks/${hook.id}/subscriptions`, select ? { account: select.value } : {});
        const who = select ? `@${select.value}` : 'the app owner';
        await loadWebhooks();
        say('hooks-status', `Subscribed ${who} to webhook ${hook.id}.`);
      })();
    });
    card.append(form);
    box.append(card);
  }
  if (data.rateLimit) {
    box.append(
      el('p', 'hint', `Subscription list calls left this window: ${data.rateLimit.remaining}/${data.rateLimit.limit}`),
    );
  }
}

// ---- X Activity API subscriptions -----------------------------------------------------------

function showStreamState(info) {
  const pill = $('stream-state');
  if (!info || info.state === 'off') {
    pill.hidden = true;
    return;
  }
  pill.hidden = false;
  pill.textContent = `activity stream: ${info.state}${info.reason ? ` (${info.reason})` : ''}`;
  pill.className = `pill ${info.state === 'connected' ? 'ok' : info.state === 'closed' ? 'bad' : 'off'}`;
}

function setUpXaa() {
  const types = $('xaa-type');
  for (const type of state.xaaTypes) {
    const isPrivate = state.privateXaaTypes.includes(type);
    types.append(new Option(isPrivate ? `${type} (private)` : type, type));
  }
  if (state.mode === 'emulator') {
    for (const account of state.accounts)
      $('xaa-user').append(new Option(`@${account.screenName}`, account.screenName));
  } else {
    // Real X: the numeric id of the user whose activity is wanted.
    const input = el('input');
    input.id = 'xaa-user';
    input.name = 'userId';
    input.placeholder = 'user id';
    input.inputMode = 'numeric';
    input.dataset.testid = 'xaa-user';
    $('xaa-user').replaceWith(input);
  }
  $('xaa-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const button = event.submitter || $('xaa-form').querySelector('button');
    void busy(button, 'xaa-status', async () => {
      const who = $('xaa-user').value;
      const body = {
        eventType: types.value,
        direction: $('xaa-direction').value,
        tag: $('xaa-tag').value,
        ...(state.mode === 'emulator' ? { account: who } : { userId: who }),
      };
      const { subscription, context } = await call('POST', '/api/xaa/subscriptions', body);
      await loadXaa();
      say(
        'xaa-status',
        `Subscribed to ${subscription.eventType} for ${subscription.user} (${context === 'user' ? "in the user's context" : "with the app's token"}).`,
      );
    })();
  });
  $('xaa-refresh').addEventListener('click', () => void loadXaa());
}

async function loadXaa() {
  const list = $('xaa-subs');
  let data;
  try {
    data = await call('GET', '/api/xaa/subscriptions');
  } catch (error) {
    list.replaceChildren(el('li', 'error', error.message));
    return;
  }
  list.replaceChildren();
  if (data.subscriptions.length === 0) list.append(el('li', 'muted', 'No XAA subscriptions.'));
  for (const sub of data.subscriptions) {
    const li = el('li');
    li.dataset.subscriptionId = sub.id;
    li.dataset.eventType = sub.eventType;
    const what = el('span', 'what');
    what.append(el('code', 'type', sub.eventType), document.createTextNode(` for ${sub.user || sub.keyword || '-'}`));
    if (sub.direction) what.append(document.createTextNode(` (${sub.direction})`));
    if (sub.tag) what.append(document.createTextNode(` · tag ${sub.tag}`));
    li.append(what);
    if (state.privateXaaTypes.includes(sub.eventType)) li.append(el('span', 'private', 'private'));
    const remove = el('button', 'quiet danger', 'Delete');
    remove.type = 'button';
    remove.addEventListener(
      'click',
      busy(remove, 'xaa-status', async () => {
        await call('DELETE', `/api/xaa/subscriptions/${sub.id}`);
        await loadXaa();
        say('xaa-status', `Deleted subscription ${sub.id} (${sub.eventType}).`);
      }),
    );
    li.append(remove);
    list.append(li);
  }
  const rules = data.filteredStream.rules.map((rule) => `${rule.value}${rule.tag ? ` (${rule.tag})` : ''}`);
  const linked = state.webhookId !== undefined && data.filteredStream.linkedWebhooks.includes(state.webhookId);
  $('xaa-stream-info').textContent = data.filteredStream.error
    ? `Filtered Stream: ${data.filteredStream.error}`
    : `Filtered Stream: ${rules.length ? `rules ${rules.join(', ')}` : 'no rules'}; ` +
      `${linked ? 'linked to this webhook' : 'not linked to this webhook'}.`;
  showStreamState(data.stream);
}

// ---- make accounts act ----------------------------------------------------------------------

function setUpActions(actions) {
  $('act-panel').hidden = false;
  const fill = (select, preferred) => {
    for (const account of state.accounts) select.append(new Option(`@${account.screenName}`, account.screenName));
    const pick = state.accounts.find((a) => a.screenName === preferred);
    if (pick) select.value = pick.screenName;
  };
  fill($('actor'), 'alice');
  fill($('target'), 'bob');
  const box = $('actions');
  for (const [name, { help }] of Object.entries(actions)) {
    const button = el('button', name === 'revoke' ? 'danger' : '', name.replace('_', ' '));
    button.type = 'button';
    button.title = help;
    button.dataset.action = name;
    button.addEventListener(
      'click',
      busy(button, 'act-status', async () => {
        if (
          name === 'revoke' &&
          !confirm(`Revoke the app for @${$('actor').value}? Its subscription goes and its tokens stop working.`)
        )
          return;
        const minutesAgo = Number($('minutes-ago').value || 0);
        const result = await call('POST', '/api/act', {
          action: name,
          actor: $('actor').value,
          target: $('target').value,
          text: $('text').value,
          minutesAgo,
        });
        say('act-status', `${name}: ${result.deliveries} deliveries.`);
        if (name === 'revoke') await loadWebhooks();
      }),
    );
    box.append(button);
  }
  $('tour').addEventListener(
    'click',
    busy($('tour'), 'act-status', async () => {
      say('act-status', 'Touring every kind…');
      const result = await call('POST', '/api/act/tour', {});
      say('act-status', `Tour done: ${result.steps} actions, ${result.deliveries} deliveries.`);
    }),
  );
  $('history').addEventListener(
    'click',
    busy($('history'), 'act-status', async () => {
      const result = await call('POST', '/api/act/history', {});
      say(
        'act-status',
        `Seeded ${result.steps} actions 45–60 minutes ago (${result.deliveries} deliveries). Replay them below.`,
      );
    }),
  );
}

// ---- start ----------------------------------------------------------------------------------

async function main() {
  const info = await call('GET', '/api/state');
  Object.assign(state, {
    mode: info.mode,
    webhookId: info.webhookId,
    kinds: info.kinds,
    accounts: info.accounts,
    xaaTypes: info.xaaTypes || [],
    privateXaaTypes: info.privateXaaTypes || [],
  });
  $('mode').textContent = info.mode === 'emulator' ? `emulator · ${info.apiBaseUrl}` : `X · ${info.apiBaseUrl}`;
  $('notes').textContent = info.notes.join(' ');
  renderLegend();
  if (info.mode === 'emulator') setUpActions(info.actions);
  if (info.replay) showReplay(info.replay);
  showStreamState(info.activityStream);
  setUpXaa();

  const now = Date.now();
  $('replay-from').value = toLocalInput(new Date(now - 2 * 3600_000));
  $('replay-to').value = toLocalInput(new Date(now - 15 * 60_000));
  $('replay-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const button = event.submitter || $('replay-form').querySelector('button');
    void busy(button, 'replay-status', async () => {
      const job = await call('POST', '/api/replay', {
        from: new Date($('replay-from').value).toISOString(),
        to: new Date($('replay-to').value).toISOString(),
      });
      say('replay-status', `Replay job ${job.jobId} started.`);
      showReplay(job);
    })();
  });
  $('refresh').addEventListener('click', () => void loadWebhooks());
  $('clear-feed').addEventListener('click', () => {
    $('feed').replaceChildren();
    $('feed-empty').hidden = false;
  });
  $('family-filter').addEventListener('change', (event) => {
    const family = event.target.value;
    document.body.classList.remove('hide-family', 'show-aaa', 'show-xaa', 'show-filtered_stream');
    if (family) document.body.classList.add('hide-family', `show-${family}`);
  });
  $('show-duplicates').addEventListener('change', (event) => {
    document.body.classList.toggle('hide-duplicates', !event.target.checked);
  });
  connect();
  await Promise.all([loadWebhooks(), loadXaa()]);
}

main().catch((error) => say('act-status', error.message, true));
