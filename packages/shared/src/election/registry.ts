/**
 * The elections of a chain as a deterministic state machine over finalized blocks: configured
 * elections, their key ceremony, the running homomorphic sum of their ballots, their partial
 * decryptions and their decrypted counts. Validators check transactions with it (admission and
 * block validity) and apply finalized blocks to it; the client's verifier replays the chain
 * through the same rules. No clock, no randomness, no I/O. Specified in docs/PROTOCOL.md section 16.
 *
 * A transaction is checked against the state after the block before it (`check(tx, hash, h)` for a
 * block at height h = applied height + 1); the phase changes computed after a block apply from the
 * next block on, so no rule depends on the order of transactions within a block.
 */
import type { Block } from '../block.js';
import { SEALED, ballotCandidate } from '../ballot.js';
import { OTHER } from '../tally.js';
import { type Hex, bytesToHex } from '../encoding.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { type Genesis, quorumSize } from '../genesis.js';
import { type Transaction, electionIdOf, txHash } from '../transaction.js';
import type { StateEntry } from '../stateRoot.js';
import {
  type Aggregate,
  type Ciphertext,
  type CiphertextWire,
  type Complaint,
  type Dealing,
  type ElectionParams,
  type ElectionSetup,
  type PartialDecryption,
  type TrusteeKeyMessage,
  aggregateHash,
  addBallots,
  ballotFromData,
  decodeAggregate,
  decodeCiphertext,
  decryptTally,
  parseElectionParams,
  electionSetup,
  emptyAggregate,
  encodeAggregate,
  finalizeKey,
  type AggregateWire,
  verifyBallot,
  verifyComplaint,
  verifyDealing,
  verifyPartialDecryption,
  verifyTrusteeKey,
} from '../crypto/index.js';
import { type ElectionConfig, parseElectionConfig } from './config.js';
import { type ControlKind, controlFrom, isControlFrom, openElectionTx, parseControlFrom } from './controlTx.js';

export const COMPLAINTS_TYPE = 'poa-evoting/dkg-complaints';
const CONFIG_FROM = controlFrom('election');

/** A trustee's round-2 message: its complaints (often none), which also says it has checked its shares. */
export interface ComplaintsMessage {
  type: typeof COMPLAINTS_TYPE;
  v: 1;
  trustee: number;
  complaints: Complaint[];
}

/**
 * Phases. Plain elections: `scheduled`, `open`, `closed` by height. Encrypted elections: the key
 * ceremony (`keys`, `dealings`, `complaints`), `ready` (ballots from openHeight), `tallying` (from
 * closeHeight: partial decryptions), `decrypted` (a threshold of them is on chain), or `failed`.
 */
export type ElectionPhase =
  | 'scheduled'
  | 'open'
  | 'closed'
  | 'keys'
  | 'dealings'
  | 'complaints'
  | 'ready'
  | 'tallying'
  | 'decrypted'
  | 'failed';

/** One election's on-chain record. */
export interface ElectionRecord {
  electionId: string;
  config: ElectionConfig;
  /** Height of the block holding the configuration. */
  configHeight: number;
  configTx: Hex;
  /** Encrypted elections: the setup of the key ceremony (trustees = authorities, threshold = quorumSize). */
  setup?: ElectionSetup;
  /** Phase after the last applied block (plain elections: see phaseAt). */
  phase: ElectionPhase;
  /** First height of the current key-ceremony phase (its deadline counts from here). */
  phaseStart: number;
  /** Trustee messages on chain, by trustee index - 1. */
  keys: (TrusteeKeyMessage | undefined)[];
  /**
   * Once the key phase is over: the participants (1-based trustee indices whose keys reached the chain
   * in the key phase, at least `threshold`). Only they deal, complain, hold a key share and decrypt.
   */
  participants?: number[];
  /** First height after the key phase (a key is refused from here on). */
  keysClosedHeight?: number;
  dealings: (Dealing | undefined)[];
  complaints: (ComplaintsMessage | undefined)[];
  /** Hash of each control transaction on chain, in chain order. */
  transactions: { kind: ControlKind; authority?: number; hash: Hex; height: number }[];
  /** After the key ceremony: public key and verification keys. */
  params?: ElectionParams;
  qualified?: number[];
  disqualified?: { dealer: number; reason: string }[];
  readyHeight?: number;
  /** Ballots counted (finalized, valid). */
  ballots: number;
  /**
   * Plain elections: counts by candidate (countBallot's reading of each ballot; a name outside the
   * configuration's list counts under "other", an unreadable ballot under "sealed").
   */
  plainCounts?: Map<string, number>;
  /** Encrypted: the running homomorphic sum (frozen at closeHeight). */
  aggregate?: Aggregate;
  /** Valid partial decryptions on chain, by trustee index (1-based). */
  partials: Map<number, PartialDecryption>;
  /** Decrypted counts in candidate order, and the trustees whose partials were combined. */
  counts?: number[];
  decryptedWith?: number[];
  decryptedHeight?: number;
  failure?: string;
}

export const REGISTRY_SNAPSHOT_TYPE = 'poa-evoting/election-registry';

/**
 * The election state after block `height`, as JSON (ElectionRegistry.snapshot): restoring it and
 * applying blocks height + 1 .. gives the state a replay from the genesis gives. Not part of the
 * protocol: a node may keep one beside its chain to skip the replay at start-up (its integrity is
 * the node's business: it names the block it follows).
 */
export interface ElectionRegistrySnapshot {
  type: typeof REGISTRY_SNAPSHOT_TYPE;
  v: 1;
  chainId: number;
  height: number;
  /** Unconfigured elections that have a vote on chain. */
  voted: string[];
  elections: ElectionRecordWire[];
}

/** An ElectionRecord as JSON: absent entries are null, Maps are arrays, the aggregate its wire form. */
export interface ElectionRecordWire
  extends Omit<
    ElectionRecord,
    'setup' | 'keys' | 'dealings' | 'complaints' | 'plainCounts' | 'aggregate' | 'partials'
  > {
  keys: (TrusteeKeyMessage | null)[];
  dealings: (Dealing | null)[];
  complaints: (ComplaintsMessage | null)[];
  plainCounts?: [string, number][];
  aggregate?: AggregateWire;
  partials: PartialDecryption[];
}

function snapshotError(field: string, what: string): never {
  throw new ProtocolError(ProtocolErrorCode.ELECTION_INVALID, `election registry snapshot: ${field} ${what}`, {
    field,
  });
}

function natural(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) snapshotError(field, 'must be a natural');
  return value;
}

/** What an applied block changed, for the node's trustee duties and logs. */
export interface ElectionChange {
  electionId: string;
  phase: ElectionPhase;
  height: number;
}

export interface ElectionRegistryOptions {
  /**
   * Verify ballot proofs when applying blocks whose transactions were not checked here first
   * (default true). A validator replaying its own finalized blocks at start-up passes false.
   */
  verify?: boolean;
  /** Most verified ballots remembered between check and apply (default 50,000). */
  maxCached?: number;
}

function refuse(message: string, data?: Record<string, unknown>): never {
  throw new ProtocolError(ProtocolErrorCode.ELECTION_TX_INVALID, message, data);
}

/** The elections of one chain. */
export class ElectionRegistry {
  readonly genesis: Genesis;
  readonly #elections = new Map<string, ElectionRecord>();
  /** Unconfigured elections that already have a vote on chain: they can no longer be configured. */
  readonly #voted = new Set<string>();
  /** Ballots verified by check(), by transaction hash: apply() and re-checks need not verify again. */
  readonly #verified = new Map<Hex, Ciphertext[]>();
  readonly #verify: boolean;
  readonly #maxCached: number;
  #height = 0;
  /** Elections whose record blocks changed since takeStateChanges(), and elections newly marked voted. */
  readonly #changed = new Set<string>();
  #newlyVoted: string[] = [];

  constructor(genesis: Genesis, options: ElectionRegistryOptions = {}) {
    this.genesis = genesis;
    this.#verify = options.verify ?? true;
    this.#maxCached = options.maxCached ?? 50_000;
  }

  /** Height of the last applied block. */
  get height(): number {
    return this.#height;
  }

  /** The state after the last applied block, as JSON (the cache of verified ballots is not part of it). */
  snapshot(): ElectionRegistrySnapshot {
    return {
      type: REGISTRY_SNAPSHOT_TYPE,
      v: 1,
      chainId: this.genesis.chainId,
      height: this.#height,
      voted: [...this.#voted].sort(),
      elections: [...this.#elections.values()].map((e) => this.#recordWire(e)),
    };
  }

  /** One record as JSON (a deep copy: later blocks do not change it). */
  #recordWire(e: ElectionRecord): ElectionRecordWire {
    const orNull = <T>(list: readonly (T | undefined)[]): (T | null)[] => list.map((x) => x ?? null);
    const { setup: _setup, plainCounts, aggregate, partials, keys, dealings, complaints, ...rest } = e;
    return structuredClone({
      ...rest,
      keys: orNull(keys),
      dealings: orNull(dealings),
      complaints: orNull(complaints),
      ...(plainCounts ? { plainCounts: [...plainCounts.entries()] } : {}),
      ...(aggregate ? { aggregate: encodeAggregate(aggregate) } : {}),
      partials: [...partials.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p),
    });
  }

  /**
   * The registry's part of the state commitment (docs/PROTOCOL.md, "State commitment"): one
   * `election` entry per configured election (its record as in snapshot()) and one `voted` entry
   * per unconfigured election with a vote on chain.
   */
  stateEntries(): StateEntry[] {
    return [
      ...[...this.#elections.values()].map((e) => this.#electionEntry(e)),
      ...[...this.#voted].sort().map((election): StateEntry => ({ kind: 'voted', election })),
    ];
  }

  /**
   * The entries of stateEntries() that blocks applied since the last call changed or added (what
   * StateCommitment.replace takes after each finalized block); entries are never removed.
   */
  takeStateChanges(): StateEntry[] {
    const out: StateEntry[] = [];
    for (const id of [...this.#changed].sort()) {
      const e = this.#elections.get(id);
      if (e !== undefined) out.push(this.#electionEntry(e));
    }
    for (const election of this.#newlyVoted.sort()) out.push({ kind: 'voted', election });
    this.#changed.clear();
    this.#newlyVoted = [];
    return out;
  }

  #electionEntry(e: ElectionRecord): StateEntry {
    return {
      kind: 'election',
      election: e.electionId,
      record: this.#recordWire(e) as unknown as Record<string, unknown>,
    };
  }

  /**
   * A registry from the entries of stateEntries() (a verified state snapshot) at `height`: the
   * registry a replay of blocks 1..height gives. Throws ELECTION_INVALID naming what is wrong.
   */
  static fromStateEntries(
    genesis: Genesis,
    height: number,
    entries: Iterable<StateEntry>,
    options: ElectionRegistryOptions = {},
  ): ElectionRegistry {
    const voted: string[] = [];
    const elections: unknown[] = [];
    for (const e of entries) {
      if (e.kind === 'voted') voted.push(e.election);
      else if (e.kind === 'election') {
        if ((e.record as { electionId?: unknown }).electionId !== e.election)
          snapshotError('electionId', `of the record of ${e.election} must be ${e.election}`);
        elections.push(e.record);
      }
    }
    return ElectionRegistry.restore(
      genesis,
      { type: REGISTRY_SNAPSHOT_TYPE, v: 1, chainId: genesis.chainId, height, voted: voted.sort(), elections },
      options,
    );
  }

  /**
   * A registry in the state of `snapshot` (from snapshot(), possibly through JSON), for the same
   * genesis; then apply blocks from snapshot.height + 1. Throws ELECTION_INVALID naming the field of
   * a snapshot that is not one (wrong type, version or chain, bad shape); each record's setup is
   * recomputed from its configuration and the genesis, its parameters and aggregate decoded.
   */
  static restore(genesis: Genesis, snapshot: unknown, options: ElectionRegistryOptions = {}): ElectionRegistry {
    const o = snapshot as Partial<ElectionRegistrySnapshot> | null;
    if (typeof o !== 'object' || o === null || o.type !== REGISTRY_SNAPSHOT_TYPE || o.v !== 1)
      snapshotError('type', `must be "${REGISTRY_SNAPSHOT_TYPE}" version 1`);
    if (o.chainId !== genesis.chainId) snapshotError('chainId', `must be this chain's ${genesis.chainId}`);
    const r = new ElectionRegistry(genesis, options);
    r.#height = natural(o.height, 'height');
    if (!Array.isArray(o.voted) || !o.voted.every((x) => typeof x === 'string'))
      snapshotError('voted', 'must be an array of election ids');
    for (const id of o.voted) r.#voted.add(id);
    if (!Array.isArray(o.elections)) snapshotError('elections', 'must be an array');
    const n = genesis.authorities.length;
    o.elections.forEach((w: ElectionRecordWire, i) => {
      const f = `elections[${i}]`;
      if (typeof w !== 'object' || w === null) snapshotError(f, 'must be an election record');
      const config = parseElectionConfig(w.config);
      if (w.electionId !== config.electionId || r.#elections.has(config.electionId))
        snapshotError(`${f}.electionId`, "must be its configuration's, once");
      const encrypted = config.ballotFormat === 'encrypted';
      const list = <T>(x: unknown, field: string): (T | undefined)[] => {
        if (!Array.isArray(x) || x.length !== (encrypted ? n : 0))
          snapshotError(`${f}.${field}`, `must have ${encrypted ? n : 0} entries`);
        return x.map((y) => (y === null ? undefined : (y as T)));
      };
      const params = w.params === undefined ? undefined : parseElectionParams(w.params, `${f}.params`);
      if (!Array.isArray(w.partials)) snapshotError(`${f}.partials`, 'must be an array');
      const {
        plainCounts: plainWire,
        aggregate: aggregateWire,
        partials: partialsWire,
        keys,
        dealings,
        complaints,
        ...rest
      } = structuredClone(w);
      const rec: ElectionRecord = {
        ...rest,
        config,
        configHeight: natural(w.configHeight, `${f}.configHeight`),
        phaseStart: natural(w.phaseStart, `${f}.phaseStart`),
        ballots: natural(w.ballots, `${f}.ballots`),
        keys: list<TrusteeKeyMessage>(keys, 'keys'),
        dealings: list<Dealing>(dealings, 'dealings'),
        complaints: list<ComplaintsMessage>(complaints, 'complaints'),
        partials: new Map(partialsWire.map((p) => [p.trustee, p])),
      };
      if (encrypted) rec.setup = r.#setupOf(config);
      if (params !== undefined) rec.params = params;
      if (plainWire !== undefined) rec.plainCounts = new Map(plainWire);
      else if (!encrypted) snapshotError(`${f}.plainCounts`, 'is missing');
      if (aggregateWire !== undefined) {
        if (params === undefined) snapshotError(`${f}.aggregate`, 'needs the parameters');
        rec.aggregate = decodeAggregate(params, aggregateWire);
      }
      r.#elections.set(config.electionId, rec);
    });
    return r;
  }

  /** Whether any election is configured (a chain without one behaves exactly as before). */
  get active(): boolean {
    return this.#elections.size > 0;
  }

  /** One election's record, if configured. */
  get(electionId: string): ElectionRecord | undefined {
    return this.#elections.get(electionId);
  }

  /** Every configured election. */
  list(): ElectionRecord[] {
    return [...this.#elections.values()];
  }

  /** The phase of an election for a block at `height` (plain elections depend on the height alone). */
  phaseAt(e: ElectionRecord, height: number): ElectionPhase {
    if (e.config.ballotFormat === 'encrypted') return e.phase;
    return height < e.config.openHeight ? 'scheduled' : height < e.config.closeHeight ? 'open' : 'closed';
  }

  /** The aggregate's wire form (encrypted elections with a key). */
  aggregateWire(e: ElectionRecord): AggregateWire | undefined {
    return e.aggregate && encodeAggregate(e.aggregate);
  }

  /** aggregateHash of the current aggregate (what partial decryptions name). */
  aggregateHashHex(e: ElectionRecord): Hex | undefined {
    return e.params && e.aggregate && bytesToHex(aggregateHash(e.params, e.aggregate));
  }

  /** Decrypted counts by candidate name. */
  countsByName(e: ElectionRecord): Record<string, number> | undefined {
    const counts = e.counts;
    if (counts === undefined) return undefined;
    const out = Object.create(null) as Record<string, number>;
    e.config.candidates.forEach((c, i) => {
      out[c] = counts[i] ?? 0;
    });
    return out;
  }

  /**
   * Throw (ELECTION_TX_INVALID, ELECTION_INVALID or the failed proof's code, data.proof naming it)
   * unless `tx` may be in a block at `height` on top of the applied state. Plain votes of elections
   * that are not configured always pass, as before. `ballotProofsChecked`: the caller knows this
   * ballot's proofs verified under this election's parameters (it took the ballot into its pool
   * through this check), so only the phase and the window are checked again.
   */
  check(tx: Transaction, hash: Hex, height: number, ballotProofsChecked = false): void {
    const electionId = electionIdOf(tx.to);
    if (electionId === undefined) return;
    const target = parseControlFrom(tx.from);
    if (target === undefined) {
      const e = this.#elections.get(electionId);
      if (e !== undefined) this.#checkBallot(e, tx, hash, height, ballotProofsChecked);
      return;
    }
    const opened = openElectionTx(this.genesis, tx, target);
    if (opened.kind === 'election') {
      this.#checkConfig(electionId, opened.body, height);
      return;
    }
    const e = this.#elections.get(electionId);
    if (e === undefined || e.setup === undefined)
      refuse(`election ${electionId} is not a configured encrypted election: no ${opened.kind} is expected`);
    const trustee = (opened.authority ?? -1) + 1;
    if (opened.kind === 'dkg-key') this.#checkKey(e, trustee, opened.body);
    else if (opened.kind === 'dkg-dealing') this.#checkDealing(e, trustee, opened.body);
    else if (opened.kind === 'dkg-complaints') this.#checkComplaints(e, trustee, opened.body);
    else this.#checkPartial(e, trustee, opened.body);
  }

  /** Whether `tx` passes check at `height` (the proposer's filter; cheap once checked). */
  includable(tx: Transaction, hash: Hex, height: number, ballotProofsChecked = false): boolean {
    try {
      this.check(tx, hash, height, ballotProofsChecked);
      return true;
    } catch (e) {
      if (e instanceof ProtocolError) return false;
      throw e;
    }
  }

  /**
   * Why `tx` can never be valid again (its election moved past the phase that takes it), or
   * undefined. Pools drop such transactions; a transaction that may still become valid is kept.
   */
  expired(tx: Transaction): string | undefined {
    const electionId = electionIdOf(tx.to);
    const e = electionId === undefined ? undefined : this.#elections.get(electionId);
    if (e === undefined) return undefined;
    let target: ReturnType<typeof parseControlFrom>;
    try {
      target = parseControlFrom(tx.from);
    } catch {
      return `${tx.from} names no election statement`;
    }
    const order: readonly ElectionPhase[] = ['keys', 'dealings', 'complaints', 'ready', 'tallying', 'decrypted'];
    const at = order.indexOf(e.phase);
    if (target === undefined) {
      const closed = this.#height + 1 >= e.config.closeHeight || e.phase === 'failed';
      return closed ? `election ${e.electionId} is closed (phase ${e.phase})` : undefined;
    }
    if (target.kind === 'election') return `election ${e.electionId} is already configured`;
    const needs: Record<Exclude<typeof target.kind, 'election'>, number> = {
      'dkg-key': 0,
      'dkg-dealing': 1,
      'dkg-complaints': 2,
      partial: 5,
    };
    if (e.phase === 'failed' || (at >= 0 && at > needs[target.kind] && !(target.kind === 'partial')))
      return `election ${e.electionId} is in phase ${e.phase}: a ${target.kind} is no longer accepted`;
    const authority = this.genesis.authorities.findIndex((a) => a.id === target.authority);
    if (e.participants !== undefined && authority >= 0 && !e.participants.includes(authority + 1))
      return `trustee ${authority + 1} takes no part in election ${e.electionId}'s key ceremony`;
    return undefined;
  }

  #expectPhase(e: ElectionRecord, phases: readonly ElectionPhase[], what: string): void {
    if (!phases.includes(e.phase))
      refuse(`election ${e.electionId} is in phase ${e.phase}: ${what} is accepted in phase ${phases.join(' or ')}`, {
        phase: e.phase,
      });
  }

  #checkConfig(electionId: string, body: unknown, height: number): ElectionConfig {
    if (this.#elections.has(electionId)) refuse(`election ${electionId} is already configured`);
    if (this.#voted.has(electionId))
      refuse(`election ${electionId} already has votes on chain: it can no longer be configured`);
    const config = parseElectionConfig(body);
    if (config.electionId !== electionId)
      refuse(`the configuration names election ${config.electionId}, the transaction election ${electionId}`);
    if (config.openHeight <= height)
      refuse(`config.openHeight ${config.openHeight} must be after the configuration's block (height ${height})`, {
        field: 'config.openHeight',
      });
    if (config.ballotFormat === 'encrypted') this.#setupOf(config);
    return config;
  }

  #setupOf(config: ElectionConfig): ElectionSetup {
    return electionSetup({
      chainId: this.genesis.chainId,
      electionId: config.electionId,
      candidates: config.candidates,
      minSelections: config.minSelections,
      maxSelections: config.maxSelections,
      trustees: this.genesis.authorities.map((a) => a.id),
      threshold: quorumSize(this.genesis),
    });
  }

  #checkKey(e: ElectionRecord, trustee: number, body: unknown): void {
    if (e.keysClosedHeight !== undefined && e.keys[trustee - 1] === undefined)
      refuse(
        `election ${e.electionId}'s key phase ended before block ${e.keysClosedHeight}: the late key of trustee ${trustee} is refused (the ceremony goes on without it)`,
        { phase: e.phase },
      );
    this.#expectPhase(e, ['keys'], 'a trustee key');
    const setup = e.setup as ElectionSetup;
    verifyTrusteeKey(setup, body, 'body');
    if ((body as TrusteeKeyMessage).trustee !== trustee)
      refuse(`body.trustee must be ${trustee}, the signing authority's index`, { field: 'body.trustee' });
  }

  #allKeys(e: ElectionRecord): TrusteeKeyMessage[] {
    return e.keys.filter((k): k is TrusteeKeyMessage => k !== undefined);
  }

  /** Refuse a key-ceremony message or a partial decryption from a trustee that is not a participant. */
  #expectParticipant(e: ElectionRecord, trustee: number, what: string): void {
    if (e.participants === undefined || e.participants.includes(trustee)) return;
    refuse(
      `trustee ${trustee} published no key in election ${e.electionId}'s key phase (it ended before block ${e.keysClosedHeight}): it takes no part in the ceremony and holds no key share, so ${what} from it is refused`,
      { phase: e.phase, participants: e.participants },
    );
  }

  #checkDealing(e: ElectionRecord, trustee: number, body: unknown): Dealing {
    this.#expectPhase(e, ['dealings'], 'a dealing');
    this.#expectParticipant(e, trustee, 'a dealing');
    const d = verifyDealing(e.setup as ElectionSetup, this.#allKeys(e), body);
    if (d.dealer !== trustee) refuse(`body.dealer must be ${trustee}, the signing authority's index`);
    return body as Dealing;
  }

  #checkComplaints(e: ElectionRecord, trustee: number, body: unknown): ComplaintsMessage {
    this.#expectPhase(e, ['complaints'], 'a complaints message');
    this.#expectParticipant(e, trustee, 'a complaints message');
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      refuse('body must be a complaints object', { field: 'body' });
    const o = body as Record<string, unknown>;
    const keys = Object.keys(o).sort().join(',');
    if (keys !== 'complaints,trustee,type,v' || o.type !== COMPLAINTS_TYPE || o.v !== 1)
      refuse(`body must be {type: "${COMPLAINTS_TYPE}", v: 1, trustee, complaints}`, { field: 'body' });
    if (o.trustee !== trustee) refuse(`body.trustee must be ${trustee}`, { field: 'body.trustee' });
    if (!Array.isArray(o.complaints) || o.complaints.length > e.keys.length)
      refuse('body.complaints must be an array of at most one complaint per dealer', { field: 'body.complaints' });
    const dealers = new Set<unknown>();
    o.complaints.forEach((c: unknown, i: number) => {
      const dealer = (c as { dealer?: unknown } | null)?.dealer;
      const complainer = (c as { complainer?: unknown } | null)?.complainer;
      const dealing = typeof dealer === 'number' ? e.dealings[dealer - 1] : undefined;
      if (dealing === undefined || dealers.has(dealer))
        refuse(`body.complaints[${i}] must name one on-chain dealing, once`, { field: `body.complaints[${i}]` });
      if (complainer !== trustee)
        refuse(`body.complaints[${i}].complainer must be ${trustee}`, { field: `body.complaints[${i}].complainer` });
      dealers.add(dealer);
      verifyComplaint(e.setup as ElectionSetup, this.#allKeys(e), dealing, c);
    });
    return body as ComplaintsMessage;
  }

  #checkPartial(e: ElectionRecord, trustee: number, body: unknown): PartialDecryption {
    this.#expectPhase(e, ['tallying', 'decrypted'], 'a partial decryption');
    this.#expectParticipant(e, trustee, 'a partial decryption');
    const params = e.params as ElectionParams;
    const aggregate = e.aggregate as Aggregate;
    const v = verifyPartialDecryption(params, aggregate, body);
    if (v.trustee !== trustee) refuse(`body.trustee must be ${trustee}`, { field: 'body.trustee' });
    return body as PartialDecryption;
  }

  #checkBallot(e: ElectionRecord, tx: Transaction, hash: Hex, height: number, proofsChecked: boolean): void {
    const { openHeight, closeHeight } = e.config;
    if (height < openHeight || height >= closeHeight)
      refuse(`election ${e.electionId} takes ballots in blocks ${openHeight} to ${closeHeight - 1}, not ${height}`, {
        phase: this.phaseAt(e, height),
      });
    if (e.config.ballotFormat === 'plain') return;
    if (e.phase !== 'ready')
      refuse(`election ${e.electionId} is in phase ${e.phase}: ballots need phase ready (its key on chain)`, {
        phase: e.phase,
      });
    if (proofsChecked || this.#verified.has(hash)) return;
    const v = verifyBallot(e.params as ElectionParams, tx.from, tx.data);
    this.#remember(hash, v.ciphertexts);
  }

  /**
   * The parameters to verify `tx` with when it is a ballot of an encrypted election taking ballots
   * whose proofs were not checked here yet (a node verifies those off its event loop first, then
   * hands the result to rememberVerified); undefined otherwise.
   */
  ballotToVerify(tx: Transaction, hash: Hex): ElectionParams | undefined {
    const electionId = electionIdOf(tx.to);
    const e = electionId === undefined ? undefined : this.#elections.get(electionId);
    if (e?.params === undefined || e.phase !== 'ready' || isControlFrom(tx.from) || this.#verified.has(hash))
      return undefined;
    return e.params;
  }

  /**
   * Record a ballot whose proofs verifyBallot accepted elsewhere (a worker thread of this node, never
   * a peer): `check` and `apply` then use these ciphertexts instead of verifying again.
   */
  rememberVerified(hash: Hex, ciphertexts: readonly CiphertextWire[]): void {
    this.#remember(
      hash,
      ciphertexts.map((c, i) => decodeCiphertext(c, `ballot.selections[${i}]`)),
    );
  }

  #remember(hash: Hex, cts: Ciphertext[]): void {
    if (this.#verified.size >= this.#maxCached) {
      const oldest = this.#verified.keys().next();
      if (!oldest.done) this.#verified.delete(oldest.value);
    }
    this.#verified.set(hash, cts);
  }

  /** Apply a finalized block (already valid against this state). Returns the phase changes. */
  apply(block: Block): ElectionChange[] {
    const height = block.header.height;
    const touched = new Set<ElectionRecord>();
    // Configurations take effect after the block's other transactions: a vote in the same block as
    // its election's configuration is a vote cast before the configuration (not counted in it).
    const configsLast = [
      ...block.transactions.filter((tx) => tx.from !== CONFIG_FROM),
      ...block.transactions.filter((tx) => tx.from === CONFIG_FROM),
    ];
    for (const tx of configsLast) {
      const electionId = electionIdOf(tx.to);
      if (electionId === undefined) continue;
      const target = parseControlFrom(tx.from);
      const e = this.#elections.get(electionId);
      if (target === undefined) {
        if (e !== undefined) {
          this.#applyBallot(e, tx);
          this.#changed.add(electionId);
        } else if (!this.#voted.has(electionId)) {
          this.#voted.add(electionId);
          this.#newlyVoted.push(electionId);
        }
        continue;
      }
      const hash = txHash(tx);
      const opened = openElectionTx(this.genesis, tx, target);
      if (opened.kind === 'election') {
        const config = parseElectionConfig(opened.body);
        const rec: ElectionRecord = {
          electionId,
          config,
          configHeight: height,
          configTx: hash,
          phase: config.ballotFormat === 'encrypted' ? 'keys' : 'scheduled',
          phaseStart: height + 1,
          keys: [],
          dealings: [],
          complaints: [],
          transactions: [{ kind: 'election', hash, height }],
          ballots: 0,
          partials: new Map(),
        };
        if (config.ballotFormat === 'plain') rec.plainCounts = new Map();
        if (config.ballotFormat === 'encrypted') {
          rec.setup = this.#setupOf(config);
          const n = this.genesis.authorities.length;
          rec.keys = new Array(n).fill(undefined);
          rec.dealings = new Array(n).fill(undefined);
          rec.complaints = new Array(n).fill(undefined);
        }
        this.#elections.set(electionId, rec);
        touched.add(rec);
        continue;
      }
      if (e === undefined || opened.authority === undefined) continue;
      const i = opened.authority;
      e.transactions.push({ kind: opened.kind, authority: i, hash, height });
      if (opened.kind === 'dkg-key') e.keys[i] = opened.body as TrusteeKeyMessage;
      else if (opened.kind === 'dkg-dealing') e.dealings[i] = opened.body as Dealing;
      else if (opened.kind === 'dkg-complaints') e.complaints[i] = opened.body as ComplaintsMessage;
      else if (opened.kind === 'partial') e.partials.set(i + 1, opened.body as PartialDecryption);
      touched.add(e);
    }
    this.#height = height;
    const changes: ElectionChange[] = [];
    for (const e of this.#elections.values()) {
      const before = e.phase;
      this.#advance(e, height);
      if (e.phase !== before || touched.has(e)) {
        changes.push({ electionId: e.electionId, phase: e.phase, height });
        this.#changed.add(e.electionId);
      }
    }
    return changes;
  }

  #applyBallot(e: ElectionRecord, tx: Transaction): void {
    e.ballots++;
    if (e.plainCounts !== undefined) {
      const c = ballotCandidate(tx.data);
      const bucket = e.config.candidates.includes(c) || c === SEALED ? c : OTHER;
      e.plainCounts.set(bucket, (e.plainCounts.get(bucket) ?? 0) + 1);
    }
    if (e.config.ballotFormat !== 'encrypted' || e.params === undefined || e.aggregate === undefined) return;
    const hash = txHash(tx);
    let cts = this.#verified.get(hash);
    this.#verified.delete(hash);
    if (cts === undefined)
      cts = this.#verify ? verifyBallot(e.params, tx.from, tx.data).ciphertexts : decodeBallot(tx.data);
    e.aggregate = addBallots(e.params, [{ ciphertexts: cts }], e.aggregate);
  }

  /** Phase changes after block `height`; they take effect from block height + 1. */
  #advance(e: ElectionRecord, height: number): void {
    if (e.setup === undefined) return;
    const next = height + 1;
    const n = this.genesis.authorities.length;
    const setup = e.setup;
    const late = next >= e.phaseStart + e.config.dkgPhaseBlocks;
    const move = (phase: ElectionPhase): void => {
      e.phase = phase;
      e.phaseStart = next;
    };
    const fail = (why: string): void => {
      e.failure = why;
      move('failed');
    };
    /** The authorities (among `among`, 1-based, when given) with no message in `list`. */
    const missing = (list: readonly unknown[], among?: readonly number[]): string =>
      list
        .map((x, i) =>
          x === undefined && (among === undefined || among.includes(i + 1))
            ? this.genesis.authorities[i]?.id
            : undefined,
        )
        .filter((x) => x !== undefined)
        .join(', ');
    switch (e.phase) {
      case 'keys': {
        // The participants are fixed here, from the chain alone: every trustee once all keys are on
        // chain, otherwise at the deadline those whose keys made it, if they reach the threshold.
        const keyed = e.keys.flatMap((k, i) => (k === undefined ? [] : [i + 1]));
        const due = late || next >= e.config.closeHeight;
        if (keyed.length === n || (due && keyed.length >= setup.threshold)) {
          e.participants = keyed;
          e.keysClosedHeight = next;
          move('dealings');
        } else if (due)
          fail(
            `only ${keyed.length} of ${n} trustee keys by block ${height} (the threshold is ${setup.threshold}); none from ${missing(e.keys)}`,
          );
        return;
      }
      case 'dealings': {
        const dealt = e.dealings.filter((d) => d !== undefined).length;
        const expected = e.participants?.length ?? n;
        if (dealt === expected || ((late || next >= e.config.closeHeight) && dealt >= setup.threshold))
          move('complaints');
        else if (late || next >= e.config.closeHeight)
          fail(
            `only ${dealt} dealings by block ${height} (the threshold is ${setup.threshold}); none from ${missing(e.dealings, e.participants)}`,
          );
        return;
      }
      case 'complaints': {
        const participants = e.participants ?? [];
        const all = participants.every((j) => e.complaints[j - 1] !== undefined);
        if (!all && !late && next < e.config.closeHeight) return;
        try {
          const r = finalizeKey(
            setup,
            this.#allKeys(e),
            e.dealings.filter((d) => d !== undefined),
            e.complaints.flatMap((c) => c?.complaints ?? []),
          );
          e.params = r.params;
          e.qualified = r.qualified;
          e.disqualified = r.disqualified;
          e.aggregate = emptyAggregate(r.params);
          e.readyHeight = next;
          move(next >= e.config.closeHeight ? 'tallying' : 'ready');
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          fail(`key ceremony failed: ${err.message}`);
        }
        return;
      }
      case 'ready':
        if (next >= e.config.closeHeight) move('tallying');
        return;
      case 'tallying': {
        if (e.partials.size < setup.threshold || e.params === undefined || e.aggregate === undefined) return;
        const partials = [...e.partials.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p);
        try {
          const r = decryptTally(e.params, e.aggregate, partials);
          e.counts = r.counts;
          e.decryptedWith = r.trustees;
          e.decryptedHeight = height;
          move('decrypted');
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
        return;
      }
      default:
        return;
    }
  }
}

/** The ciphertexts of a ballot already verified once (a validator's own finalized chain). */
function decodeBallot(data: string): Ciphertext[] {
  const o = ballotFromData(data) as { selections?: unknown };
  if (!Array.isArray(o.selections)) throw new ProtocolError(ProtocolErrorCode.BALLOT_INVALID, 'ballot.selections');
  return o.selections.map((s: unknown, i: number) => {
    const x = s as { alpha?: unknown; beta?: unknown };
    return decodeCiphertext({ alpha: x.alpha, beta: x.beta }, `ballot.selections[${i}]`);
  });
}
