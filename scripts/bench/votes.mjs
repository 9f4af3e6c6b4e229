// The benchmark's votes: unique voters, one election per mode, ballots of a chosen size.

const CANDIDATES = ['A', 'B', 'C', 'D', 'E'];

/** Generates vote i of a run: {id, tx: {from, to, data}} with data about `ballotBytes` long. */
export class VoteFactory {
  constructor({ runTag, mode, electionId, ballotBytes }) {
    this.prefix = `bench-${runTag}-${mode}-`;
    this.electionId = electionId;
    this.to = `election-${electionId}`;
    this.ballotBytes = ballotBytes;
  }

  /** Index of a voter id this factory made, or -1. */
  indexOf(voterId) {
    return voterId.startsWith(this.prefix) ? Number(voterId.slice(this.prefix.length)) : -1;
  }

  /** Vote i: base64 JSON naming a candidate, padded so the ballot has about ballotBytes characters. */
  vote(i) {
    const from = `${this.prefix}${i}`;
    const plain = `{"candidate_id":"${CANDIDATES[i % CANDIDATES.length]}","nonce":"${i.toString(36)}","pad":"`;
    const target = Math.max(0, Math.floor((this.ballotBytes * 3) / 4) - plain.length - 2);
    const data = Buffer.from(`${plain}${'x'.repeat(target)}"}`).toString('base64');
    return { id: `tx-${from}`, tx: { from, to: this.to, data } };
  }
}
