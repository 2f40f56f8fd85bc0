// vitest global setup: picks the Chromium of the browser tests once, before the test files run in
// parallel, so that the npm package's browser is unpacked by one process only. The workers inherit
// CHROMIUM_PATH.
import { chromiumExecutable } from './browser.js';

export default async function setup(): Promise<void> {
  const { executablePath, source } = await chromiumExecutable();
  process.env['CHROMIUM_PATH'] = executablePath;
  process.env['CHROMIUM_SOURCE'] = source;
}
