// Node HTTP throughput (DESIGN.md budget): `toNodeListener(handler)` in a node:http server serves at
// least 1.15x the requests/s of @octokit/webhooks' `createNodeMiddleware`, on the same ~4 kB JSON
// body, each with its own signature header (ours: x-twitter-webhooks-signature; octokit:
// x-hub-signature-256, x-github-event, x-github-delivery at /api/github/webhooks). Both servers are
// node processes on 127.0.0.1 (port 0) importing the packed package / the peer by name from the
// consumer project, both pinned to CPU 1; the load comes from a third process on CPU 0
// (lib/load.mjs: raw keep-alive sockets, 48 requests in flight).
//
// Method (lib/http.mjs, lib/load.mjs): after 2 s of warm-up each and 10 discarded rounds, 100
// rounds in which each server gets one phase (order alternating): 50 ms of load not counted (the
// server that sat idle gets going again: without it the first server of a round came out ~25 %
// slower than the second), then 100 ms counted. Short phases, so both servers of a round see the
// same machine. The figure is the median over rounds of the per-round req/s ratio, with its IQR.
// Every answer must be 200, and every 200 must have reached the listener: otherwise the row fails.
import { join } from 'node:path';
import { load, prepareConsumer, loaderUrl } from './consumer.mjs';
import { fmt, spreadText } from './harness.mjs';
import { delivery } from './lib/delivery.mjs';
import {
  SECRET,
  buildRequest,
  compareTargets,
  octokitHeaders,
  problems,
  rpsText,
  clientWarning,
  runLoad,
  startServer,
} from './lib/http.mjs';

const BUDGET = 1.15;

export async function run() {
  const { dir } = prepareConsumer();
  const { signPayload } = await load('x-account-activity/webhooks');
  const body = delivery(4000);
  const script = join(import.meta.dirname, 'lib', 'node-server.mjs');
  const servers = [];
  try {
    const ours = await startServer(process.execPath, [script, 'ours', loaderUrl()], { cwd: dir });
    servers.push(ours);
    const octokit = await startServer(process.execPath, [script, 'octokit', loaderUrl()], { cwd: dir });
    servers.push(octokit);
    const targets = [
      {
        name: 'ours',
        port: ours.port,
        pid: ours.pid,
        request: buildRequest({
          ...ours,
          body,
          headers: { 'x-twitter-webhooks-signature': await signPayload(body, SECRET) },
        }),
      },
      {
        name: 'octokit',
        port: octokit.port,
        pid: octokit.pid,
        request: buildRequest({ ...octokit, body, headers: octokitHeaders(body) }),
      },
    ];
    const phases = await runLoad(dir, targets);
    const [oursLog, octokitLog] = await Promise.all(servers.map((server) => server.stop()));
    const result = compareTargets(phases, 'ours', 'octokit');
    const issues = [...problems('ours', result.subject, oursLog), ...problems('octokit', result.reference, octokitLog)];
    return [
      {
        figure: `Node http: toNodeListener req/s ÷ @octokit/webhooks createNodeMiddleware req/s (${Buffer.byteLength(body)} B body)`,
        measured: spreadText(result.ratio),
        budget: `>= ${BUDGET}x`,
        ok: issues.length === 0 && result.ratio.median >= BUDGET,
        peer:
          `ours ${rpsText(result.subject.rps)}, octokit ${rpsText(result.reference.rps)}; ` +
          `per server CPU-second: ${fmt(result.cpuRatio.median, 3)}x; ` +
          `load generator busy ${fmt(Math.max(result.subject.clientBusy, result.reference.clientBusy) * 100, 0)} %` +
          clientWarning(result.subject, result.reference) +
          (issues.length ? `; FAILED ANSWERS: ${issues.join('; ')}` : ''),
      },
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
