/**
 * Help texts: one per command, each with examples.
 *
 * @internal
 * @packageDocumentation
 */

const API_FLAGS = `Credentials and target (flags, then the environment, then ./.env):
  --consumer-key KEY           X_CONSUMER_KEY
  --consumer-secret SECRET     X_CONSUMER_SECRET
  --access-token TOKEN         X_ACCESS_TOKEN (the app owner's)
  --access-token-secret SECRET X_ACCESS_TOKEN_SECRET
  --bearer-token TOKEN         X_BEARER_TOKEN (else obtained from the consumer key and secret)
  --base-url URL               X_API_BASE_URL (default https://api.x.com)
  --api-version 2|1.1          X_API_VERSION (default 2)
  --emulator                   talk to \`x-account-activity emulate\` (http://127.0.0.1:8787 and its
                               well-known credentials, unless given otherwise)
  --timeout MS                 per request (default 30000)
  --env-file PATH              read this file instead of ./.env
  --json                       machine-readable output on stdout
  -h, --help                   this help`;

export const HELP: Readonly<Record<string, string>> = {
  main: `x-account-activity: X's Account Activity API webhooks from a terminal

Usage: x-account-activity <command> [options]     (alias: x-aaa)

Local development
  emulate                      run the local X API emulator and print its environment lines
  listen                       a local webhook receiver that prints every verified event
  send <url> <kind>            sign and POST a realistic delivery to a webhook URL
  crc <url>                    run X's Challenge-Response Check against a URL and explain failures

X's API (or the emulator with --emulator)
  webhooks list|register|validate|delete
  subscriptions add|check|list|count|remove
  replay <webhook-id> --from --to [--wait]

X Activity API and Filtered Stream (or the emulator with --emulator)
  activity subscriptions list|create|update|delete
  activity stream              print the events of the app's XAA subscriptions as they come
  stream-rules list|add|delete
                               the Filtered Stream's rules
  stream-links list|create|delete
                               webhooks that receive the posts matching those rules

Signing users in
  auth oauth1                  OAuth 1.0a PIN flow; prints the user's tokens as environment lines
  auth oauth2                  OAuth 2.0 with PKCE through a local callback server

Run \`x-account-activity <command> --help\` for a command's options and examples.
Exit codes: 0 ok, 1 API or check failure, 2 usage.

Examples
  npx x-account-activity emulate
  npx x-account-activity crc https://example.com/webhooks/x
  npx x-account-activity webhooks list --json`,

  emulate: `Usage: x-account-activity emulate [--port N] [--host HOST] [--json]

Runs the local X API emulator until Ctrl-C (or SIGTERM), and prints the environment lines a client
or webhook app needs: X_API_BASE_URL, X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN,
X_ACCESS_TOKEN_SECRET, X_BEARER_TOKEN, and the tokens of its accounts alice, bob and carol.
These are the emulator's own test credentials, not secrets.

Options
  --port N       port to listen on (default 8787; 0 picks a free one)
  --host HOST    interface (default 127.0.0.1)
  --json         print one JSON object instead of environment lines
  -h, --help     this help

Examples
  npx x-account-activity emulate
  npx x-account-activity emulate --port 0 > .env.emulator
  npx x-account-activity webhooks list --emulator     # in another terminal`,

  listen: `Usage: x-account-activity listen [--port N] [--path /webhook] [--json]

A local webhook receiver: answers CRC challenges, verifies every delivery's signature with the
consumer secret, and prints each typed event as one line (colour on a TTY), or as NDJSON with --json.
Refused requests (bad signature, bad JSON, wrong path) are shown and counted; Ctrl-C prints the
totals and stops.

Options
  --port N              port (default 3000; 0 picks a free one)
  --host HOST           interface (default 127.0.0.1)
  --path PATH           the webhook path (default /webhook)
  --consumer-secret S   X_CONSUMER_SECRET; or --emulator for the emulator's
  --json                one JSON object per line (NDJSON) on stdout
  --env-file PATH       read this file instead of ./.env
  -h, --help            this help

Examples
  npx x-account-activity listen --emulator --port 3000
  npx x-account-activity listen --json | jq .type`,

  crc: `Usage: x-account-activity crc <url> [--consumer-secret S]

Acts as X: sends a CRC GET (?crc_token=<fresh token>) to the URL and checks the answer: status 200,
content type application/json, a JSON body {"response_token":"sha256=<base64 HMAC-SHA256>"} made
with the consumer secret, and the time against X's 3 s limit. A failure is explained precisely:
another consumer secret, a hex or unprefixed token, the wrong JSON shape, a redirect (X does not
follow them), a TLS error, a timeout, a refused connection, a token shape the endpoint refuses.
It then sends a token of a shape X never uses and warns when the endpoint signs it anyway.

Options
  --consumer-secret S   X_CONSUMER_SECRET; or --emulator for the emulator's
  --limit MS            X's time limit to check against (default 3000)
  --timeout MS          how long to wait for an answer (default 10000)
  --json                the result as JSON
  --env-file PATH       read this file instead of ./.env
  -h, --help            this help

Exit code 0 when the check passes, 1 when it fails.

Examples
  npx x-account-activity crc https://example.com/webhooks/x
  npx x-account-activity crc http://127.0.0.1:3000/webhook --emulator`,

  send: `Usage: x-account-activity send <url> <kind> [kind...] [--from NAME] [--to NAME] [--text TEXT] [...]

Builds a realistic delivery of each Account Activity kind given, signs it with the consumer secret as
X does (x-twitter-webhooks-signature), POSTs it to the URL and reports the answer, one line each.
Exit code 1 when any answer is not 2xx.

Kinds: tweet_create (alias post, mention with --to), reply, retweet, quote, favorite (like),
follow, unfollow, block, unblock, mute, unmute, user_revoke, direct_message (dm),
direct_message_typing (typing), direct_message_read (read), tweet_delete, replay_job_status.

Options
  --from NAME           the account that acts (default alice)
  --to NAME             the account acted upon / the subscribed user (default bob)
  --for NAME            the subscribed user the delivery is for (default: --to)
  --text TEXT           text of a post or DM
  --job-id ID           replay_job_status: the job (default a fresh id)
  --webhook-id ID       replay_job_status: the webhook (default 1)
  --incomplete          replay_job_status: job_state Incomplete
  --bad-signature       sign with another secret (to test refusals)
  --print               print the body that was sent
  --consumer-secret S   X_CONSUMER_SECRET; or --emulator for the emulator's
  --timeout MS          wait this long for the answer (default 10000)
  --json                the result as JSON
  -h, --help            this help

Examples
  npx x-account-activity send http://127.0.0.1:3000/webhook favorite --emulator
  npx x-account-activity send http://127.0.0.1:3000/webhook dm --from carol --to alice --text hi
  npx x-account-activity send http://127.0.0.1:3000/webhook follow like dm typing read`,

  webhooks: `Usage: x-account-activity webhooks <list|register|validate|delete> [args]

  webhooks list                 the app's webhooks (id, url, valid, created)
  webhooks register <url>       register a URL; X runs a CRC against it first
  webhooks validate <id>        trigger a CRC now (re-enables an invalid webhook)
  webhooks delete <id>          delete a webhook

${API_FLAGS}

Examples
  npx x-account-activity webhooks list
  npx x-account-activity webhooks register https://example.com/webhooks/x
  npx x-account-activity webhooks validate 1234567890 --json
  npx x-account-activity webhooks list --emulator`,

  subscriptions: `Usage: x-account-activity subscriptions <add|check|list|count|remove> [args]

  subscriptions add <webhook-id>             subscribe a user (default: the app owner)
  subscriptions check <webhook-id>           is that user subscribed? (exit 1 when not)
  subscriptions list <webhook-id>            subscribed user ids
  subscriptions count                        subscriptions of the app, and the provisioned limit
  subscriptions remove <webhook-id> <user-id>

The user of add and check: --user-token and --user-token-secret (X_USER_ACCESS_TOKEN,
X_USER_ACCESS_TOKEN_SECRET), or --user-oauth2-token (X_USER_OAUTH2_TOKEN, v2 only); else the app
owner's --access-token and --access-token-secret. Get them with \`x-account-activity auth\`.

${API_FLAGS}

Examples
  npx x-account-activity subscriptions add 1234567890 --user-token ... --user-token-secret ...
  npx x-account-activity subscriptions count --json
  npx x-account-activity subscriptions remove 1234567890 20212306`,

  replay: `Usage: x-account-activity replay <webhook-id> --from WHEN --to WHEN [--wait]

Starts a replay job: X redelivers the events of the window to the webhook, then posts a
replay_job_status event. WHEN is an ISO date (2026-01-31T10:00Z), yyyymmddhhmm (UTC), or a time
ago: 90m, 3h, 1d. The window is checked before anything is sent: from at least 31 minutes ago, to at
least 10 minutes ago, within the last 24 hours (v2) or 5 days (v1.1).

--wait follows the job to its replay_job_status. X has no endpoint to ask a job's state, so the
command listens: it starts a receiver on --port/--path (answering X's CRC, verifying signatures) and
waits for the replay_job_status of this job. Use it when the webhook's URL reaches that port (the
emulator, or a tunnel or proxy to this machine); otherwise watch your own app's logs.

Options
  --from WHEN, --to WHEN   the window (required)
  --wait                   listen for the job's replay_job_status, counting replayed events
  --port N, --path PATH    where --wait listens (default 3000, /webhook)
  --wait-timeout MS        give up after (default 600000)

${API_FLAGS}

Examples
  npx x-account-activity replay 1234567890 --from 3h --to 1h
  npx x-account-activity replay 1234567890 --from 2026-01-31T08:00Z --to 2026-01-31T10:00Z --wait --port 3000`,

  auth: `Usage: x-account-activity auth <oauth1|oauth2> [options]

Signs a user in and prints their tokens as environment lines (this command's job: the only one that
prints secrets). Use them with \`subscriptions add\`.

  auth oauth1    OAuth 1.0a PIN flow (oauth_callback=oob): open the printed URL, authorise, type the PIN
  auth oauth2    OAuth 2.0 authorization code with PKCE: a local callback server on --port receives
                 the redirect (register http://127.0.0.1:<port>/callback as a callback URL of the app)

Options
  --consumer-key, --consumer-secret   oauth1: X_CONSUMER_KEY, X_CONSUMER_SECRET
  --client-id, --client-secret        oauth2: X_CLIENT_ID, X_CLIENT_SECRET (secret: confidential clients)
  --scope S                           oauth2: space-separated scopes (default: the AAA subscription scopes)
  --port N                            oauth2: callback port (default 8976; 0 picks a free one)
  --pin PIN                           oauth1: the PIN, instead of typing it
  --base-url URL, --emulator          where X's OAuth endpoints are
  --json                              print the tokens as JSON
  -h, --help                          this help

Examples
  npx x-account-activity auth oauth1 >> .env
  npx x-account-activity auth oauth2 --client-id abc --port 8976`,

  activity: `Usage: x-account-activity activity <subscriptions|stream> [args]

The X Activity API (XAA): one subscription per event type and filter; the events go to the activity
stream and, with --webhook-id, to that webhook too.

  activity subscriptions list                 every subscription (all pages)
  activity subscriptions create --event-type T (--user-id ID | --keyword K)
                              [--direction inbound|outbound] [--tag TAG] [--webhook-id ID]
  activity subscriptions update <id> [--tag TAG] [--webhook-id ID]
  activity subscriptions delete <id> [<id> ...]   several ids: one bulk request per 100; exit 1
                                                  when any id was not deleted
  activity stream [--backfill MIN] [--start WHEN] [--end WHEN] [--max N] [--json] [--raw]

create: private event types (likes, mentions, replies, quotes, reposts, DMs, XChat, mutes, blocks,
broadcast chat) are created in a user's context: --user-token and --user-token-secret
(X_USER_ACCESS_TOKEN, X_USER_ACCESS_TOKEN_SECRET) or --user-oauth2-token (X_USER_OAUTH2_TOKEN), else
the app owner's tokens; the other types with the app's bearer token. To change the event type or
filter, delete the subscription and create another.

stream: one line per typed event on stdout (NDJSON with --json, the delivered element too with
--raw); connection changes (reconnects, waits, events lost past X's 5-minute backfill) on stderr. It
reconnects by itself without losing or doubling events, and ends on Ctrl-C, after --max N events, or
once X ends the answer after --end; then it prints its counts.
  --backfill MIN   minutes of past events (0-5) the first connection asks for
  --start WHEN     the earliest time of the events (start_time)
  --end WHEN       the latest time of the events (end_time)
  --max N          stop after N events
WHEN is an ISO date (2026-01-31T10:00Z), yyyymmddhhmm (UTC), epoch milliseconds, or a time ago
(90m, 3h, 1d).

${API_FLAGS}

Examples
  npx x-account-activity activity subscriptions create --event-type profile.update.bio --user-id 2244994945 --tag bios
  npx x-account-activity activity subscriptions create --event-type like.create --user-id 2244994945 \\
      --direction inbound --user-token ... --user-token-secret ...
  npx x-account-activity activity subscriptions list --json
  npx x-account-activity activity subscriptions delete 1146654567674912769 1146654567674912770
  npx x-account-activity activity stream --backfill 5
  npx x-account-activity activity stream --json --max 10 | jq .type`,

  'stream-rules': `Usage: x-account-activity stream-rules <list|add|delete> [args]

The Filtered Stream's rules: the posts that match them go to the webhooks of \`stream-links\`.

  stream-rules list                          every rule (id, value, tag)
  stream-rules add "<value>" [...] [--tag T] add rules (the tag goes on each); exit 1 when X refuses
                                             one (a duplicate, for example), with X's reason
  stream-rules delete <id> [<id> ...]        delete rules by id; exit 1 when one was not deleted
  --dry-run                                  add, delete: X checks and answers, nothing changes

${API_FLAGS}

Examples
  npx x-account-activity stream-rules add "from:XDevelopers -is:retweet" --tag xdevs
  npx x-account-activity stream-rules add "cats has:images" --dry-run
  npx x-account-activity stream-rules list --json
  npx x-account-activity stream-rules delete 1273026480692322304`,

  'stream-links': `Usage: x-account-activity stream-links <list|create|delete> [args]

Links a V2 webhook to the Filtered Stream (enterprise): it then receives the posts matching the
rules (\`stream-rules\`) as filtered_stream.post deliveries, signed like every other delivery.

  stream-links list                          linked webhooks and their fields
  stream-links create <webhook-id>           link a webhook, with the fields its deliveries carry:
      [--tweet-fields a,b] [--expansions a,b] [--user-fields a,b]
      [--media-fields a,b] [--poll-fields a,b] [--place-fields a,b]
  stream-links delete <webhook-id>           unlink it

${API_FLAGS}

Examples
  npx x-account-activity stream-links create 1146654567674912769 --tweet-fields created_at,author_id \\
      --expansions author_id --user-fields username
  npx x-account-activity stream-links list
  npx x-account-activity stream-links delete 1146654567674912769`,
};
