/**
 * The CI soak (issue 12): a short run of the long-run benchmark (scripts/soak.mjs as a real
 * process: three validators on loopback, batched votes) fails when a validator's RSS at the end
 * exceeds its RSS after warm-up (the first sample at 10 % of the votes) by more than
 * MAX_GROWTH_MB. Writes samples.csv, the SVG plots and summary.json to artifacts/soak/.
 * Needs the build (`npm test` builds first). Margin and its justification: docs/PERFORMANCE.md,
 * "Long run".
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const HERE = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname);
const REPO = resolve(HERE, '../../../..');
const SOAK = join(REPO, 'scripts/soak.mjs');
const OUT = join(REPO, 'artifacts/soak');

/** Votes of the CI soak: batches of 250 to three validators. */
const VOTES = 400_000;
/** Allowed RSS growth per validator from warm-up (10 % of the votes) to the end of the run. */
const MAX_GROWTH_MB = 60;

interface ValidatorSummary {
  id: string;
  rssWarmMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  growthMb: number;
}
interface SoakSummary {
  votes: number;
  errors: number;
  firstError?: string;
  finalizedPerSec: number;
  validators: ValidatorSummary[];
  otherProcessesCpuSeconds: number;
}

function runSoak(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [SOAK, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.once('error', rej);
    child.once('exit', (code) => res({ code, stdout, stderr }));
  });
}

describe('soak: memory does not grow with the chain', () => {
  it(
    `RSS of each validator at the end of ${VOTES} batched votes is within ${MAX_GROWTH_MB} MB of its RSS after warm-up`,
    async () => {
      const run = await runSoak([
        '--votes',
        String(VOTES),
        '--mode',
        'batch',
        '--batch-size',
        '250',
        '--sample-ms',
        '2000',
        '--out',
        OUT,
      ]);
      const line = run.stdout.trim().split('\n').at(-1) ?? '';
      if (run.code !== 0 || !line.startsWith('{')) {
        throw new Error(`soak exited with ${run.code}:\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`);
      }
      const summary = JSON.parse(line) as SoakSummary;
      // The table, for the CI log.
      process.stdout.write(`${run.stdout.slice(0, run.stdout.lastIndexOf('\n{'))}\n`);
      expect({ votes: summary.votes, errors: summary.errors, firstError: summary.firstError }).toEqual({
        votes: VOTES,
        errors: 0,
        firstError: undefined,
      });
      for (const v of summary.validators) {
        expect({ id: v.id, warm: v.rssWarmMb, end: v.rssEndMb, growthMb: v.growthMb }).toEqual(
          expect.objectContaining({ growthMb: expect.any(Number) }),
        );
        if (!(v.growthMb <= MAX_GROWTH_MB)) {
          throw new Error(
            `${v.id}: RSS ${v.rssWarmMb} MB after warm-up, ${v.rssEndMb} MB at the end (+${v.growthMb} MB > ${MAX_GROWTH_MB} MB allowed); max ${v.rssMaxMb} MB. Plots: ${OUT}`,
          );
        }
      }
    },
    8 * 60_000,
  );
});
