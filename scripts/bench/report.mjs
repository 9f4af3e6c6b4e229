// The human-readable table and the one JSON line.

function fmt(v, digits = 0) {
  if (v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))) return '-';
  return typeof v === 'number'
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : String(v);
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r) =>
      r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  '),
    )
    .join('\n');
}

/** The report as text. */
export function formatReport(r) {
  const out = [];
  out.push(
    `poa-vote benchmark: ${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.memGb} GB, node ${r.machine.node}; slot ${r.slotMs} ms; driver ${r.driver}; target ${r.target}`,
  );
  out.push('');
  const modeRows = [
    [
      'mode',
      'votes',
      'conc',
      'batch',
      'submitted/s',
      'finalized/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'echo votes/s',
      'final/echo',
      'cpu ms/vote',
      'written B/vote',
      'errors',
      'loadgen cpu s',
    ],
  ];
  for (const [name, m] of Object.entries(r.modes)) {
    modeRows.push([
      name,
      fmt(m.votes),
      fmt(m.concurrency),
      fmt(m.batchSize),
      fmt(m.submittedPerSec),
      fmt(m.finalizedPerSec),
      fmt(m.latencyMs.p50),
      fmt(m.latencyMs.p95),
      fmt(m.latencyMs.p99),
      fmt(m.echoVotesPerSec),
      fmt(m.ratioToEcho, 3),
      fmt(m.cpuMsPerVote, 3),
      fmt(m.writtenBytesPerVote),
      fmt(m.errors),
      fmt(m.loadgenCpuSeconds, 1),
    ]);
  }
  out.push(table(modeRows));
  out.push('');
  const vRows = [
    [
      'validator',
      'idle cpu %',
      'cpu s (total)',
      ...Object.keys(r.modes).map((m) => `cpu s (${m})`),
      'peak RSS MB',
      'RSS after warm-up MB',
      'RSS at end MB',
      'disk MB',
    ],
  ];
  for (const v of r.validators) {
    vRows.push([
      v.id,
      fmt(v.idleCpuPercent, 1),
      fmt(v.cpuSeconds, 1),
      ...Object.keys(r.modes).map((m) => fmt(r.modes[m].validatorCpuSeconds[v.id], 1)),
      fmt(v.peakRssMb, 0),
      fmt(v.rssAfterWarmupMb, 0),
      fmt(v.rssEndMb, 0),
      fmt(v.diskBytes / 1e6, 1),
    ]);
  }
  out.push(table(vRows));
  out.push('');
  out.push(
    `disk per vote: ${fmt(r.diskBytesPerVote, 0)} bytes at the end of the load (allocated, mean of the validators; ${fmt(r.chainVotes)} votes on chain, height ${fmt(r.chainHeight)}); ${fmt(r.compactedDiskBytesPerVote, 0)} bytes once compacted`,
  );
  if (r.reads) {
    const rr = [['reads (validator-1)', 'short chain p50/p99 ms', 'long chain p50/p99 ms']];
    for (const k of ['resultsMs', 'healthMs', 'receiptMs'])
      rr.push([
        k.replace('Ms', ''),
        `${fmt(r.reads.before[k].p50, 2)} / ${fmt(r.reads.before[k].p99, 2)}`,
        `${fmt(r.reads.after[k].p50, 2)} / ${fmt(r.reads.after[k].p99, 2)}`,
      ]);
    out.push(table(rr));
  }
  if (r.resync) {
    out.push('');
    out.push(
      `resync of ${r.resync.validator} from an empty disk: ${fmt(r.resync.votes)} votes / ${fmt(r.resync.blocks)} blocks in ${fmt(r.resync.seconds, 2)} s = ${fmt(r.resync.votesPerSec)} votes/s (process start to API up ${fmt(r.resync.startupSeconds, 2)} s, then ${fmt(r.resync.syncSeconds, 2)} s of sync = ${fmt(r.resync.syncOnlyVotesPerSec)} votes/s; cpu ${fmt(r.resync.cpuSeconds, 1)} s)`,
    );
  }
  if (r.notes.length > 0) {
    out.push('');
    for (const n of r.notes) out.push(`note: ${n}`);
  }
  return out.join('\n');
}
