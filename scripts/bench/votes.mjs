// The benchmark's votes: unique voters, one election per mode, ballots of a chosen size.
import { createHash } from 'node:crypto';

const CANDIDATES = ['A', 'B', 'C', 'D', 'E'];

/**
 * Generates vote i of a run: {id, tx: {from, to, data}} with data about `ballotBytes` long.
 * Voter ids are `counted` (`bench-<run>-<mode>-<i>`: consecutive voters share a long key prefix, so
 * the one-vote index's lookups and compactions touch few LevelDB tables) or `scattered` (a hash of
 * i leads, then i: spread over the key space as national ids or UUIDs are; docs/PERFORMANCE.md,
 * "LevelDB's open tables").
 */
export class VoteFactory {
  constructor({ runTag, mode, electionId, ballotBytes, ids = 'counted' }) {
    if (ids !== 'counted' && ids !== 'scattered') throw new Error(`ids must be counted or scattered, got ${ids}`);
    this.prefix = `bench-${runTag}-${mode}-`;
    this.electionId = electionId;
    this.to = `election-${electionId}`;
    this.ballotBytes = ballotBytes;
    this.scattered = ids === 'scattered';
  }

  /** Index of a voter id this factory made, or -1. */
  indexOf(voterId) {
    if (!voterId.startsWith(this.prefix)) return -1;
    return Number(this.scattered ? voterId.slice(voterId.lastIndexOf('-') + 1) : voterId.slice(this.prefix.length));
  }

  /** The voter id of vote i. */
  voter(i) {
    if (!this.scattered) return `${this.prefix}${i}`;
    return `${this.prefix}${createHash('sha256').update(String(i)).digest('hex').slice(0, 16)}-${i}`;
  }

  /** Vote i: base64 JSON naming a candidate, padded so the ballot has about ballotBytes characters. */
  vote(i) {
    const from = this.voter(i);
    const plain = `{"candidate_id":"${CANDIDATES[i % CANDIDATES.length]}","nonce":"${i.toString(36)}","pad":"`;
    const target = Math.max(0, Math.floor((this.ballotBytes * 3) / 4) - plain.length - 2);
    const data = Buffer.from(`${plain}${'x'.repeat(target)}"}`).toString('base64');
    return { id: `tx-${from}`, tx: { from, to: this.to, data } };
  }
}
