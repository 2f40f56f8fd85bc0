/**
 * `listen`: a local webhook receiver that prints every verified, typed event.
 *
 * @internal
 * @packageDocumentation
 */
import { COMMON_OPTIONS, UsageError, bool, int, noMore, parse, str } from './args.js';
import { consumerSecret, loadEnv } from './config.js';
import { type Context, untilStopped } from './context.js';
import { colorOf, eventJson, summarize } from './format-event.js';
import { HELP } from './help.js';
import { colorEnabled, line, painter } from './output.js';
import { startReceiver } from './receiver.js';

export async function listen(argv: string[], ctx: Context): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...COMMON_OPTIONS,
    port: { type: 'string' },
    host: { type: 'string' },
    path: { type: 'string' },
    'consumer-secret': { type: 'string' },
    emulator: { type: 'boolean' },
    raw: { type: 'boolean' },
  });
  if (bool(values, 'help')) {
    line(ctx.stdout, HELP.listen);
    return 0;
  }
  noMore(positionals, 0);
  loadEnv(values, ctx.env, ctx.cwd);
  const secret = consumerSecret(values, ctx.env, 'listen');
  const path = str(values, 'path') ?? '/webhook';
  if (!path.startsWith('/')) throw new UsageError(`--path must start with '/', not '${path}'`);
  const json = bool(values, 'json');
  const paint = painter(colorEnabled(ctx));
  const time = (): string => new Date().toISOString().slice(11, 19);
  const receiver = await startReceiver({
    consumerSecret: secret,
    host: str(values, 'host') ?? '127.0.0.1',
    port: int(values, 'port', 3000, 0, 65535),
    path,
    onCrc: () => {
      if (json) line(ctx.stdout, JSON.stringify({ crc: 'answered', at: new Date().toISOString() }));
      else line(ctx.stdout, `${paint('gray', time())} ${paint('green', 'crc')} answered a CRC challenge`);
    },
    onEvent: (event) => {
      if (json) {
        line(ctx.stdout, JSON.stringify(eventJson(event, bool(values, 'raw'))));
        return;
      }
      const forUser = 'forUserId' in event && event.forUserId ? paint('gray', ` for ${event.forUserId}`) : '';
      line(ctx.stdout, `${paint('gray', time())} ${paint(colorOf(event), event.type)}${forUser} ${summarize(event)}`);
    },
    onRefusal: (refusal) => {
      if (json) {
        line(
          ctx.stdout,
          JSON.stringify({
            refused: refusal.status,
            method: refusal.method,
            path: refusal.path,
            reason: refusal.reason,
          }),
        );
      } else {
        line(
          ctx.stdout,
          `${paint('gray', time())} ${paint('red', `refused ${refusal.status}`)} ${refusal.method} ${refusal.path}: ${refusal.reason}`,
        );
      }
    },
  });
  // The URL goes to stderr so that stdout stays one line per event (NDJSON with --json).
  line(ctx.stderr, `listening on ${receiver.url} (Ctrl-C stops)`);
  await untilStopped(ctx.signal);
  const stats = receiver.stats();
  await receiver.close();
  line(
    ctx.stderr,
    `stopped: ${stats.dispatched} events from ${stats.verified} verified deliveries, ${stats.crcAnswered} CRC answered, ${stats.refused} refused`,
  );
  return 0;
}
