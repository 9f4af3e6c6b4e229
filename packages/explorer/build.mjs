/**
 * Build the explorer into dist/ (served by every validator at /explorer/): one script bundle,
 * one stylesheet, one HTML page. No CDN, no fonts: everything the page runs is in dist/.
 *
 * The protocol package is bundled from its sources with its browser builds: an import of
 * ./hash.js or ./signature.js inside packages/shared resolves to hash.browser.ts /
 * signature.browser.ts (@noble instead of node:crypto), and the few Buffer uses get the
 * `buffer` package. Node keeps its OpenSSL fast path; nothing in packages/shared changes.
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '../shared/src');
const out = join(here, 'dist');

/**
 * The parts of the protocol the page verifies with. Not index.ts: its wire contract (zod
 * schemas) and ballot encryption would triple the bundle for nothing the page runs.
 */
const SHARED_MODULES = ['encoding', 'errors', 'assert', 'hash', 'merkleProof', 'signature', 'genesis', 'transaction', 'block', 'vote', 'finalized', 'ballot', 'tally'];

/** Swap node-only modules of packages/shared for their browser builds. */
const browserShared = {
  name: 'browser-shared',
  setup(build) {
    build.onResolve({ filter: /^@poa-vote\/shared$/ }, () => ({ path: '@poa-vote/shared', namespace: 'shared-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'shared-entry' }, () => ({
      contents: SHARED_MODULES.map((m) => `export * from './${m}.js';`).join('\n'),
      resolveDir: shared,
      loader: 'ts',
    }));
    build.onResolve({ filter: /^\.{1,2}\/.*\.js$/ }, (args) => {
      if (!args.importer.startsWith(shared) && args.namespace !== 'shared-entry') return undefined;
      const target = join(args.resolveDir, args.path.replace(/\.js$/, ''));
      if (target === join(shared, 'hash') || target === join(shared, 'signature')) return { path: `${target}.browser.ts` };
      return { path: `${target}.ts` };
    });
    build.onResolve({ filter: /^node:/ }, (args) => ({ errors: [{ text: `${args.path} imported by ${args.importer}: the explorer runs in a browser` }] }));
  },
};

export async function buildExplorer({ minify = true } = {}) {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(here, 'src/main.tsx')],
    bundle: true,
    outfile: join(out, 'app.js'),
    // A classic script, not a module: its same-origin fetch carries no Origin header, so the page
    // also loads through a reverse proxy that rewrites Host (browser.ts compares the two).
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: 'linked',
    legalComments: 'linked',
    inject: [join(here, 'src/platform/bufferShim.ts')],
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [browserShared],
    metafile: true,
    logLevel: 'warning',
  });
  await copyFile(join(here, 'src/index.html'), join(out, 'index.html'));
  await copyFile(join(here, 'src/style.css'), join(out, 'style.css'));
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bytes } = await buildExplorer({ minify: !process.argv.includes('--no-minify') });
  console.log(`explorer: packages/explorer/dist (${Math.round(bytes / 1024)} KiB)`);
}
