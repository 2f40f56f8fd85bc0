// Keeping other work on this shared 2-core machine from landing in the middle of a measurement.
//
// The kernel here groups processes by session for scheduling (sched_autogroup): each session gets
// an equal share of the CPUs whatever the nice value of its processes, so other sessions' builds
// and test runs preempt the bench every few ms (a loop timed in 5 ms slices ran anywhere from 5 %
// to 100 % of its speed slice to slice; at the raised priority, 80–100 %). What is left comes from
// outside this VM and is handled by interleaving subject and floor finely (harness.mjs, lib/load.mjs).
// `withPriority()` therefore re-runs the bench in a session of its own
// (spawn's `detached` calls setsid) and gives that session a nice of -20 through
// /proc/self/autogroup; its children (servers, load generator, node and bun processes) inherit it.
// Subjects and floors get the same treatment, so this changes how steady the figures are, not
// what they compare. BENCH_NICE=0 turns it off; without the permission (not root) the bench runs as
// it is and says so.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const NICE = Number(process.env.BENCH_NICE ?? -20);

/** Resolves in the prioritized session; in the launching process, waits for it and exits. */
export async function withPriority(script) {
  if (process.env.BENCH_SESSION === '1') {
    try {
      writeFileSync('/proc/self/autogroup', String(NICE));
      process.env.BENCH_PRIORITY = readFileSync('/proc/self/autogroup', 'utf8').trim();
    } catch (error) {
      process.env.BENCH_PRIORITY = `not raised (${error.code ?? error.message})`;
    }
    return;
  }
  if (NICE === 0 || process.platform !== 'linux') {
    process.env.BENCH_PRIORITY = 'off';
    return;
  }
  const child = spawn(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], {
    detached: true,
    stdio: 'inherit',
    env: { ...process.env, BENCH_SESSION: '1' },
  });
  // The child is no longer in the terminal's process group: pass Ctrl-C and kill on to it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  process.exit(code);
}

/** CPU ticks of the whole machine (busy, total) and of this process with its waited-for children. */
function ticks() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = cpu[3] + (cpu[4] ?? 0);
  const self = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // utime, stime, cutime, cstime: fields 14–17, i.e. 11–14 after "pid (comm) ".
  const mine = [11, 12, 13, 14].reduce((a, i) => a + Number(self[i]), 0);
  return { busy: total - idle, total, mine };
}

/**
 * Starts watching the machine; describe() tells how busy the CPUs were meanwhile, and how much of
 * that was other work than the bench (processes the bench did not start).
 */
export function machineLoad() {
  let start;
  try {
    start = ticks();
  } catch {
    return { describe: () => `priority ${process.env.BENCH_PRIORITY ?? 'off'}` };
  }
  return {
    describe() {
      const end = ticks();
      const total = end.total - start.total;
      const others = Math.max(0, end.busy - start.busy - (end.mine - start.mine));
      return (
        `${cpus().length} CPUs; other work than the bench used ${Math.round((100 * others) / total)} % of them during the run; ` +
        `bench session priority: ${process.env.BENCH_PRIORITY ?? 'off'}`
      );
    },
  };
}
