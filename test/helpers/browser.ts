import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, where it is installed (`.ci/run` installs it); `CHROMIUM_PATH` overrides. */
const SYSTEM_CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Which Chromium the browser tests drive, and from where. */
export interface ChromiumChoice {
  readonly executablePath: string;
  readonly source: 'system' | '@sparticuz/chromium';
}

let chosen: Promise<ChromiumChoice> | undefined;

/**
 * A system Chromium when there is one, otherwise the headless Chromium that the `@sparticuz/chromium`
 * npm package ships (unpacked to the temp folder on first use), so `npm ci && npm test` needs no apt
 * step. Says once on stderr which one runs.
 */
export function chromiumExecutable(): Promise<ChromiumChoice> {
  chosen ??= (async (): Promise<ChromiumChoice> => {
    const inherited = process.env['CHROMIUM_SOURCE'];
    if (inherited === 'system' || inherited === '@sparticuz/chromium') {
      // Chosen (and said) by the global setup of this test run.
      return { executablePath: SYSTEM_CHROMIUM, source: inherited };
    }
    let choice: ChromiumChoice;
    if (existsSync(SYSTEM_CHROMIUM)) {
      choice = { executablePath: SYSTEM_CHROMIUM, source: 'system' };
    } else {
      const packaged = (await import('@sparticuz/chromium')).default;
      choice = { executablePath: await packaged.executablePath(), source: '@sparticuz/chromium' };
    }
    process.stderr.write(`browser tests: Chromium from ${choice.source} (${choice.executablePath})\n`);
    return choice;
  })();
  return chosen;
}

/**
 * Launches headless Chromium with flags that keep it off the network (this machine has none beyond
 * loopback) and away from any profile.
 */
export async function launchChromium(): Promise<Browser> {
  const { executablePath } = await chromiumExecutable();
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
