/** Numbers, hashes and durations as people read them. */

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });

/** 12345 -> "12,345". */
export function num(n: number): string {
  return integer.format(n);
}

/** 0.4567 -> "45.7%". */
export function pct(part: number, whole: number): string {
  return whole === 0 ? '0%' : percent.format(part / whole);
}

/** A hash shortened for display: 0x1234abcd…9f8e. The full value goes in a title. */
export function short(hash: string): string {
  return hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-4)}` : hash;
}

/** 1500 -> "1.5 s", 90000 -> "1 min 30 s". */
export function duration(ms: number | null): string {
  if (ms === null) return 'no block yet';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A Unix time in ms as a local time of day (and date when not today). */
export function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** "1 vote" / "2 votes". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${num(n)} ${n === 1 ? one : many}`;
}
