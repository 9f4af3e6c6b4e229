/**
 * The client installs as a package: @poa-vote/shared and @poa-vote/client go through `npm pack`
 * (their prepack runs `tsc -b`), a fresh project outside the workspace installs the two tarballs
 * (everything else from the registry or npm's cache), the client README's complete example (read
 * from between its markers, so the README cannot drift from what is tested) type-checks there
 * with the repository's TypeScript (module nodenext, strict, library types checked too) and runs
 * under plain node against three real validators.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestNetwork } from '@poa-vote/test-utils';

const ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const README = join(ROOT, 'packages/client/README.md');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run a command to completion (never throws on a non-zero exit: the test says what failed). */
function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  const t0 = Date.now();
  return new Promise((res) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        res({ code, stdout, stderr, ms: Date.now() - t0 });
      },
    );
  });
}

function must(r: Run, what: string): Run {
  if (r.code !== 0)
    throw new Error(`${what} failed (exit ${r.code})\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
}

/** The fenced code block between `<!-- example:begin -->` and `<!-- example:end -->`. */
function readmeExample(markdown: string): string {
  const m = /<!-- example:begin -->\s*```ts\n([\s\S]*?)```\s*<!-- example:end -->/.exec(markdown);
  if (!m)
    throw new Error(
      'packages/client/README.md: no ```ts block between <!-- example:begin --> and <!-- example:end -->',
    );
  return m[1]!;
}

interface Packed {
  filename: string;
  files: { path: string }[];
}

async function pack(pkg: string, dest: string): Promise<Packed> {
  const r = must(
    await run('npm', ['pack', '--pack-destination', dest, '--json'], {
      cwd: join(ROOT, 'packages', pkg),
      timeoutMs: 120_000,
    }),
    `npm pack (${pkg})`,
  );
  // npm prints the prepack script's output before the JSON on some versions.
  const json = r.stdout.slice(r.stdout.indexOf('['));
  return (JSON.parse(json) as Packed[])[0]!;
}

describe('@poa-vote/client as an installed package', () => {
  const work = mkdtempSync(join(tmpdir(), 'poa-pkg-'));
  const project = join(work, 'project');
  let net: TestNetwork | undefined;
  const packed: Record<string, Packed> = {};
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const t0 = Date.now();
    // The network starts while the packages are packed and installed.
    const network = (async () => {
      const n = await TestNetwork.create({ slotMs: 500 });
      net = n;
      await n.start();
      await n.waitHealthy();
      timings.network = Date.now() - t0;
    })();
    const install = (async () => {
      packed.shared = await pack('shared', work);
      packed.client = await pack('client', work);
      timings.pack = Date.now() - t0;
      mkdirSync(project);
      writeFileSync(
        join(project, 'package.json'),
        `${JSON.stringify({ name: 'poa-client-package-test', private: true, type: 'module' }, null, 2)}\n`,
      );
      // A plain npm project: the tarballs, and @types/node for the example's node: imports.
      const r = await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          join(work, packed.shared.filename),
          join(work, packed.client.filename),
          '@types/node@^20',
        ],
        { cwd: project, timeoutMs: 120_000 },
      );
      must(r, 'npm install of the tarballs');
      timings.install = Date.now() - t0;
    })();
    await Promise.all([network, install]);
  }, 150_000);

  afterAll(async () => {
    await net?.stop();
    rmSync(work, { recursive: true, force: true });
    console.log(`package test timings (ms from start): ${JSON.stringify(timings)}`);
  }, 30_000);

  it('packs the built dist with types, the README and the LICENSE, and nothing of the monorepo', () => {
    for (const name of ['shared', 'client']) {
      const paths = packed[name]!.files.map((f) => f.path);
      expect(paths).toEqual(
        expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']),
      );
      const outside = paths.filter(
        (p) => !/^(dist|src)\//.test(p) && !['package.json', 'README.md', 'LICENSE'].includes(p),
      );
      expect(outside).toEqual([]);
      expect(paths.filter((p) => /tsbuildinfo|(^|\/)test\/|\.test\.|node_modules/.test(p))).toEqual([]);
      const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(manifest.license).toBe('MIT');
      expect(manifest.exports).toEqual({ '.': { types: './dist/index.d.ts', default: './dist/index.js' } });
    }
  });

  it('installed from the tarballs alone (shared resolved from its tarball, not the workspace)', () => {
    const installed = (pkg: string): Record<string, unknown> =>
      JSON.parse(readFileSync(join(project, 'node_modules/@poa-vote', pkg, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >;
    expect(installed('client').version).toBe(installed('shared').version);
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    expect(lock.packages['node_modules/@poa-vote/shared']?.resolved).toMatch(/poa-vote-shared-.*\.tgz$/);
    expect(lock.packages['node_modules/@poa-vote/client']?.resolved).toMatch(/poa-vote-client-.*\.tgz$/);
  });

  it("type-checks the README's complete example (module nodenext, strict)", async () => {
    const example = readmeExample(readFileSync(README, 'utf8'));
    writeFileSync(join(project, 'example.ts'), example);
    writeFileSync(
      join(project, 'tsconfig.json'),
      `${JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true }, files: ['example.ts'] }, null, 2)}\n`,
    );
    const r = await run(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.json'], {
      cwd: project,
      timeoutMs: 60_000,
    });
    timings.typecheck = r.ms;
    must(r, 'tsc --noEmit of the README example');
  }, 60_000);

  it('runs the README example under plain node against three real validators', async () => {
    const n = net!;
    // The same text, run as JavaScript: it uses no TypeScript-only syntax.
    writeFileSync(join(project, 'example.mjs'), readmeExample(readFileSync(README, 'utf8')));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      POA_RPC_URLS: n.validators.map((v) => v.url).join(','),
      POA_GENESIS: join(n.dir, 'genesis.json'),
    };
    delete env.NODE_OPTIONS; // no jest or polyfill preloads: the package must run on its own
    const r = await run(process.execPath, ['example.mjs'], { cwd: project, env, timeoutMs: 60_000 });
    timings.example = r.ms;
    must(r, 'node example.mjs');
    const out = r.stdout;
    console.log(`README example output:\n${out}`);
    expect(r.stderr).toBe('');
    expect(out).toMatch(/^vote 0x[0-9a-f]{64} acknowledged by validator-[123]$/m);
    expect(out).toMatch(/^vote 0x[0-9a-f]{64} finalized in block \d+$/m);
    expect(out).toMatch(/^receipt of backend-tx-0001: block \d+, success$/m);
    expect(out.match(/^0x[0-9a-f]{64} via validator-[123]$/gm)).toHaveLength(2);
    expect(out).toMatch(/^results \{"alice":2,"bob":1\}, total 3 at height \d+ \((exact|consistent)\)$/m);
    expect(out).toMatch(/^chain valid: true \(\d+ blocks to height \d+\)$/m);
    expect(out).toMatch(/^recount \{"alice":2,"bob":1\}, matches \/results: true$/m);
    // And the chain agrees, read directly from a validator.
    const res = (await (await fetch(`${n.validators[0]!.url}/results?election_id=7`)).json()) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(res)).toMatch(/"alice":2/);
    expect(JSON.stringify(res)).toMatch(/"bob":1/);
  }, 70_000);
});
