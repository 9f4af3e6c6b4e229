/**
 * Bounded discrete log base G by baby-step giant-step: finds x in 0..bound with x*G = M.
 * The table holds m = ceil(sqrt(bound + 1)) baby steps j*G keyed by their encoding: about
 * 150 bytes per entry (a 64-character hex key and a number in a Map), so 150 KB for a bound of
 * one million, built in m point encodings; each lookup costs at most m + 1 giant steps.
 */
import { bytesToHex } from '../encoding.js';
import { G, IDENTITY, mulPublic, type Point } from './group.js';

/** A reusable baby-step table for discrete logs up to `bound`. */
export class DlogTable {
  readonly m: number;
  private readonly baby = new Map<string, number>();
  private readonly giant: Point;

  constructor(readonly bound: number) {
    if (!Number.isSafeInteger(bound) || bound < 0 || bound > 2 ** 40)
      throw new RangeError(`dlog bound must be an integer in 0..2^40, got ${bound}`);
    this.m = Math.max(1, Math.ceil(Math.sqrt(bound + 1)));
    let p = IDENTITY;
    for (let j = 0; j < this.m; j++) {
      this.baby.set(bytesToHex(p.toBytes()), j);
      p = p.add(G);
    }
    this.giant = mulPublic(G, BigInt(this.m)).negate();
  }

  /** x in 0..bound with x*G = M, or undefined. */
  log(M: Point): number | undefined {
    let gamma = M;
    for (let k = 0; k * this.m <= this.bound; k++) {
      const j = this.baby.get(bytesToHex(gamma.toBytes()));
      if (j !== undefined) {
        const x = k * this.m + j;
        return x <= this.bound ? x : undefined;
      }
      gamma = gamma.add(this.giant);
    }
    return undefined;
  }
}

const tables = new Map<number, DlogTable>();

/** x in 0..bound with x*G = M, or undefined; tables are cached per bound (last 4 bounds). */
export function boundedDlog(M: Point, bound: number): number | undefined {
  let t = tables.get(bound);
  if (t === undefined) {
    t = new DlogTable(bound);
    if (tables.size >= 4) tables.delete(tables.keys().next().value as number);
    tables.set(bound, t);
  }
  return t.log(M);
}
