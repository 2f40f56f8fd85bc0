// Compiles every TypeScript snippet of README.md and docs/*.md against the packed package, as a
// user who pastes it would (strict, nodenext, ESM). Run by `npm test` after `npm run smoke`, which
// unpacks the tarball. A snippet may use a few names it does not declare (`handler`, `client`,
// `rawBody`, ...): they are declared once, with their real types, in the context below.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consumerFolder, packedPackage, root } from './packed.mjs';

const packed = packedPackage();
const work = consumerFolder(join(root, '.tmp', 'snippets'));

const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => `docs/${n}`),
];
const files = [];
const origin = new Map();
for (const doc of docs) {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (start < 0 && /^```(ts|typescript)\s*$/.test(line)) start = i + 1;
    else if (start >= 0 && /^```\s*$/.test(line)) {
      const name = `${doc.replace(/[/.]/g, '_')}_${start + 1}.ts`;
      // `export {}` makes every snippet a module, so that their top-level names do not collide.
      writeFileSync(join(work, name), `export {};\n${lines.slice(start, i).join('\n')}\n`);
      files.push(name);
      origin.set(name, { doc, line: start + 1 });
      start = -1;
    }
  }
}

// The names snippets use without declaring them, with the types a user's code would give them.
writeFileSync(
  join(work, 'context.d.ts'),
  `import type {
  AccountActivityClient,
  AccountActivityClientOptions,
  SubscriberCredentials,
  Webhook,
  WebhookHandler,
} from 'x-account-activity';
import type { Emulator } from 'x-account-activity/testing';
declare global {
  const handler: WebhookHandler;
  const client: AccountActivityClient;
  const credentials: AccountActivityClientOptions;
  const emulator: Emulator;
  const webhook: Webhook;
  const url: string;
  const rawBody: string;
  const userCredentials: SubscriberCredentials;
  const userAccessToken: string;
  const userAccessTokenSecret: string;
  const userOAuth2AccessToken: string;
}
`,
);
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'snippets', private: true, type: 'module' }));
writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        noUnusedLocals: false,
      },
      files: ['context.d.ts', ...files],
    },
    null,
    2,
  ),
);

try {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
    cwd: work,
    encoding: 'utf8',
    stdio: 'pipe',
  });
  console.log(`ok ${files.length} TypeScript snippets of ${docs.length} documents compile against the packed package`);
} catch (error) {
  // Point each error at the document and line it comes from.
  const text = `${error.stdout ?? ''}${error.stderr ?? ''}`.replace(
    /^(\S+\.ts)\((\d+),(\d+)\)/gm,
    (all, file, line, col) => {
      const at = origin.get(file);
      return at ? `${at.doc}:${at.line + Number(line) - 2}:${col}` : all;
    },
  );
  console.error(`Documentation snippets that do not compile:\n${text}`);
  process.exit(1);
}

// The quickstart a newcomer copies: run it from the packed package, and see the verified event.
const quickstart = consumerFolder(join(work, 'quickstart'));
writeFileSync(join(quickstart, 'package.json'), JSON.stringify({ name: 'quickstart', private: true, type: 'module' }));
copyFileSync(join(root, 'examples', 'first-event', 'first-event.ts'), join(quickstart, 'first-event.ts'));
const printed = execFileSync(process.execPath, ['--import', 'tsx', 'first-event.ts'], {
  cwd: quickstart,
  encoding: 'utf8',
  timeout: 30_000,
  env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
});
if (!/^verified tweet_create \(mention\) from @bob: .*your first verified event$/m.test(printed)) {
  console.error(`examples/first-event/first-event.ts did not print the verified event:\n${printed}`);
  process.exit(1);
}
console.log('ok examples/first-event/first-event.ts prints a verified, typed event from the packed package');

// Every relative link of README.md and docs/*.md works from the repository and from the tarball.
const broken = [];
for (const doc of docs) {
  const text = readFileSync(join(root, doc), 'utf8');
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
    const path = target.split('#')[0];
    const from = join(doc, '..', path);
    if (!existsSync(join(root, from))) broken.push(`${doc}: ${target} (not in the repository)`);
    if (!existsSync(join(packed, from))) broken.push(`${doc}: ${target} (not in the packed package)`);
  }
}
if (broken.length > 0) {
  console.error(`Broken documentation links:\n${broken.join('\n')}`);
  process.exit(1);
}
console.log('ok every relative link of README.md and docs/ resolves in the repository and in the packed package');
