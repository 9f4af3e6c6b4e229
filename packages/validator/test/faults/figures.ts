/**
 * Figures of the fault scenarios: each scenario records its entry in results/last-run.json, and
 * the table in docs/FAULTS.md is regenerated from that file, so the document quotes the last run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const HERE = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname);
export const RESULTS_FILE = join(HERE, 'results/last-run.json');
export const FAULTS_DOC = resolve(HERE, '../../../../docs/FAULTS.md');
const BEGIN = '<!-- faults-table:begin -->';
const END = '<!-- faults-table:end -->';

/** The headline figures every scenario reports. */
export interface HeadlineFigures {
  /** Votes some validator acknowledged (answered with their hash). */
  votesAcknowledged: number;
  /** Of those, finalized on every live validator at the end. */
  votesFinalized: number;
  /** Acknowledged votes missing from a live validator's chain at the end. */
  lost: number;
  /** Transactions finalized more than once on some validator. */
  doubled: number;
  /** Time for the perturbed validator to reach the others' finalized head, ms (null: not applicable). */
  catchUpMs: number | null;
  /** Longest time the network's highest finalized height did not rise during the scenario, ms. */
  noFinalityMs: number | null;
}

export interface ScenarioRecord {
  id: string;
  title: string;
  /** What the scenario asserts, in words (copied into the document). */
  asserts: string[];
  ok: boolean;
  problems: string[];
  headline: HeadlineFigures;
  /** Scenario-specific figures. */
  extra: Record<string, number | string | boolean | null>;
  slotMs: number;
  runAt: string;
  durationMs: number;
}

interface ResultsFile {
  updatedAt: string;
  scenarios: ScenarioRecord[];
}

function readResults(): ResultsFile {
  if (!existsSync(RESULTS_FILE)) return { updatedAt: new Date().toISOString(), scenarios: [] };
  try {
    return JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as ResultsFile;
  } catch {
    return { updatedAt: new Date().toISOString(), scenarios: [] };
  }
}

const ms = (v: number | null): string =>
  v === null ? '–' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;

/** The markdown table of a results file. */
export function renderTable(results: ResultsFile): string {
  const rows = [
    '| # | scenario | votes acknowledged | finalized | lost | doubled | catch-up | longest time without finality | result |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const s of results.scenarios) {
    const h = s.headline;
    rows.push(
      `| ${s.id} | ${s.title} | ${h.votesAcknowledged} | ${h.votesFinalized} | ${h.lost} | ${h.doubled} | ${ms(h.catchUpMs)} | ${ms(h.noFinalityMs)} | ${s.ok ? 'pass' : `FAIL: ${s.problems.length} problem(s)`} |`,
    );
  }
  const details = results.scenarios.map((s) => {
    const extra = Object.entries(s.extra)
      .map(([k, v]) => `${k} ${typeof v === 'number' && /Ms$/.test(k) ? ms(v) : String(v)}`)
      .join('; ');
    const problems =
      s.problems.length > 0
        ? ` Problems: ${s.problems.map((p) => p.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' / ')}`
        : '';
    return `* **${s.id}** (slot ${s.slotMs} ms, run ${s.runAt}, ${ms(s.durationMs)}): ${extra}.${problems}`;
  });
  return [`Last run: ${results.updatedAt}.`, '', ...rows, '', ...details].join('\n');
}

/** Replace the generated table in docs/FAULTS.md (between its markers), if the document has them. */
export function renderDoc(results: ResultsFile = readResults()): void {
  if (!existsSync(FAULTS_DOC)) return;
  const doc = readFileSync(FAULTS_DOC, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return;
  writeFileSync(FAULTS_DOC, `${doc.slice(0, a + BEGIN.length)}\n${renderTable(results)}\n${doc.slice(b)}`);
}

/** Store one scenario's record (replacing an earlier one with the same id) and refresh the document. */
export function recordScenario(rec: ScenarioRecord): void {
  const results = readResults();
  results.scenarios = [...results.scenarios.filter((s) => s.id !== rec.id), rec].sort((x, y) =>
    x.id.localeCompare(y.id, 'en', { numeric: true }),
  );
  results.updatedAt = new Date().toISOString();
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  if (!process.env.POA_FAULTS_NO_DOC) renderDoc(results);
}
