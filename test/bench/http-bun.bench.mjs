// Bun HTTP throughput (DESIGN.md budget): `Bun.serve({ fetch: (req) => handler.handle(req) })` serves
// at least 0.8x the requests/s of a bare `Bun.serve` whose fetch does `await req.arrayBuffer()`,
// HMAC-SHA256 with node:crypto, a constant-time compare and `JSON.parse`, on the same ~4 kB
// delivery. @octokit/webhooks' `createWebMiddleware` on Bun.serve is shown for information.
// Servers run under the `bun` binary of the `bun` npm package (node_modules/.bin/bun), each in its
// own process on 127.0.0.1 (port 0), pinned to CPU 1; the load comes from a node process on CPU 0
// (lib/load.mjs), with the method of http-node.bench.mjs: short phases rotating between the three
// servers, 100 rounds, the median of per-round ratios with its IQR, and every answer must be 200.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { load, loaderUrl, prepareConsumer, root } from './consumer.mjs';
import { fmt, spreadText } from './harness.mjs';
import { delivery } from './lib/delivery.mjs';
import {
  SECRET,
  buildRequest,
  compareTargets,
  octokitHeaders,
  problems,
  clientWarning,
  rpsText,
  runLoad,
  startServer,
} from './lib/http.mjs';

const BUDGET = 0.8;

export async function run() {
  const { dir } = prepareConsumer();
  const bun = join(root, 'node_modules', '.bin', 'bun');
  if (!existsSync(bun)) throw new Error('node_modules/.bin/bun is missing (devDependency `bun`)');
  const { signPayload } = await load('x-account-activity/webhooks');
  const body = delivery(4000);
  const signature = await signPayload(body, SECRET);
  const script = join(import.meta.dirname, 'lib', 'bun-server.mjs');
  const servers = [];
  try {
    const start = async (kind) => {
      const server = await startServer(bun, [script, kind, loaderUrl()], { cwd: dir });
      servers.push(server);
      return server;
    };
    const ours = await start('ours');
    const bare = await start('bare');
    const octokit = await start('octokit');
    const ourHeaders = { 'x-twitter-webhooks-signature': signature };
    const targets = [
      { name: 'ours', port: ours.port, pid: ours.pid, request: buildRequest({ ...ours, body, headers: ourHeaders }) },
      { name: 'bare', port: bare.port, pid: bare.pid, request: buildRequest({ ...bare, body, headers: ourHeaders }) },
      {
        name: 'octokit',
        port: octokit.port,
        pid: octokit.pid,
        request: buildRequest({ ...octokit, body, headers: octokitHeaders(body) }),
      },
    ];
    const phases = await runLoad(dir, targets);
    const [oursLog, bareLog, octokitLog] = await Promise.all(servers.map((server) => server.stop()));
    const vsBare = compareTargets(phases, 'ours', 'bare');
    const vsOctokit = compareTargets(phases, 'ours', 'octokit');
    const issues = [
      ...problems('ours', vsBare.subject, oursLog),
      ...problems('bare', vsBare.reference, bareLog),
      ...problems('octokit', vsOctokit.reference, octokitLog),
    ];
    return [
      {
        figure: `Bun.serve: handler.handle req/s ÷ bare Bun.serve (arrayBuffer + HMAC + JSON.parse) req/s (${Buffer.byteLength(body)} B)`,
        measured: spreadText(vsBare.ratio),
        budget: `>= ${BUDGET}x`,
        ok: issues.length === 0 && vsBare.ratio.median >= BUDGET,
        peer:
          `ours ${rpsText(vsBare.subject.rps)}, bare ${rpsText(vsBare.reference.rps)}; ` +
          `@octokit/webhooks on Bun ${rpsText(vsOctokit.reference.rps)}, ours ÷ octokit ${fmt(vsOctokit.ratio.median, 3)}x; ` +
          `per server CPU-second ${fmt(vsBare.cpuRatio.median, 3)}x; load generator busy ${fmt(Math.max(vsBare.subject.clientBusy, vsBare.reference.clientBusy) * 100, 0)} %` +
          clientWarning(vsBare.subject, vsBare.reference, vsOctokit.reference) +
          (issues.length ? `; FAILED ANSWERS: ${issues.join('; ')}` : ''),
      },
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
