#!/usr/bin/env node
/**
 * The `x-account-activity` command line. Loaded only by its bin (dist/cli.js); no library entry
 * imports this module.
 */
process.stdout.write('x-account-activity: the command line is being built (see docs/cli.md)\n');
