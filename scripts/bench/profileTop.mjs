#!/usr/bin/env node
// Summarize V8 .cpuprofile files (node --cpu-prof): top functions by self time and by total time.
// Usage: node scripts/bench/profileTop.mjs <file-or-dir> [--top N] [--filter substring]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, filter: { type: 'string' } },
});
if (positionals.length === 0) {
  process.stderr.write('usage: node scripts/bench/profileTop.mjs <file-or-dir> [--top N] [--filter substring]\n');
  process.exit(2);
}
const top = Number(values.top);
if (!Number.isSafeInteger(top) || top < 1) {
  process.stderr.write(`profileTop: --top must be a positive integer, got ${JSON.stringify(values.top)}\n`);
  process.exit(2);
}

function files(p) {
  if (statSync(p).isDirectory())
    return readdirSync(p)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .map((f) => join(p, f));
  return [p];
}

function label(cf) {
  const url = cf.url ? relative(process.cwd(), cf.url.replace(/^file:\/\//, '')) : '';
  return `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`.trim();
}

/** {self, total} ms per function label of one profile. */
export function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dt = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) dt.set(samples[i], (dt.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0) / 1000);
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (const [id, ms] of dt) {
    all += ms;
    const n = byId.get(id);
    const l = label(n.callFrame);
    self.set(l, (self.get(l) ?? 0) + ms);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cl = label(byId.get(cur).callFrame);
      if (seen.has(cl)) continue;
      seen.add(cl);
      total.set(cl, (total.get(cl) ?? 0) + ms);
    }
  }
  return { self, total, all };
}

const show = (m, all) =>
  [...m.entries()]
    .filter(([l]) => !values.filter || l.includes(values.filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([l, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / all).toFixed(1).padStart(5)}%  ${l}`)
    .join('\n');

let inputs;
try {
  inputs = positionals.flatMap(files);
} catch (e) {
  process.stderr.write(`profileTop: ${e.message}\n`);
  process.exit(2);
}
if (inputs.length === 0) {
  process.stderr.write(`profileTop: no .cpuprofile files in ${positionals.join(', ')}\n`);
  process.exit(2);
}
for (const f of inputs) {
  let profile;
  try {
    profile = JSON.parse(readFileSync(f, 'utf8'));
  } catch (e) {
    process.stderr.write(`profileTop: ${f} is not a readable V8 CPU profile: ${e.message}\n`);
    process.exit(2);
  }
  const s = summarize(profile);
  process.stdout.write(
    `== ${f}: ${(s.all / 1000).toFixed(1)} s sampled\n-- self\n${show(s.self, s.all)}\n-- total (inclusive)\n${show(s.total, s.all)}\n\n`,
  );
}
