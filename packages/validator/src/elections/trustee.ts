/**
 * A validator's duties as a trustee of the chain's encrypted elections: given the finalized
 * election state, which control transactions it owes now (its key, its dealing, its complaints,
 * its partial decryption). Randomness and the trustee secret come from the caller (the node: the
 * platform CSPRNG and a key file beside the validator's key; the simulator: its seed and its
 * simulated disk), so the consensus core stays free of both.
 */
import {
  type Complaint,
  type ElectionRecord,
  type ElectionRegistry,
  type Genesis,
  type Rng,
  type Signer,
  type Transaction,
  type TrusteeKeyMessage,
  type TrusteeSecret,
  type TrusteeShare,
  COMPLAINTS_TYPE,
  type ComplaintsMessage,
  ProtocolError,
  ProtocolErrorCode,
  dkgRound1,
  finalizeKey,
  makeComplaint,
  makeTrusteeKey,
  openShare,
  partialDecrypt,
  signElectionTx,
} from '@poa-vote/shared';

/**
 * What a trustee keeps per election (never on chain): its election secret and the key message it
 * published, and once the key ceremony is over its key share s_j (checked against K_j).
 */
export interface TrusteeRecord {
  electionId: string;
  secret: TrusteeSecret;
  keyMessage: TrusteeKeyMessage;
  share?: TrusteeShare;
}

/** Durable storage of trustee records; `put` resolves only once the record is durable. */
export interface TrusteeStore {
  get(electionId: string): TrusteeRecord | undefined;
  put(record: TrusteeRecord): Promise<void>;
}

export interface TrusteeInit {
  genesis: Genesis;
  /** This validator's authority index. */
  self: number;
  signer: Signer;
  rng: Rng;
  store: TrusteeStore;
}

/** A control transaction this trustee owes; `record` must be made durable before the transaction is sent. */
export interface Duty {
  electionId: string;
  kind: 'dkg-key' | 'dkg-dealing' | 'dkg-complaints' | 'partial';
  tx: Transaction;
  record?: TrusteeRecord;
}

/** Computes a trustee's duties; holds no state but caches of derived shares. */
export class Trustee {
  readonly #init: TrusteeInit;
  readonly #shares = new Map<string, TrusteeShare>();

  constructor(init: TrusteeInit) {
    this.#init = init;
  }

  get #id(): string {
    return this.#init.genesis.authorities[this.#init.self]?.id ?? `authority-${this.#init.self}`;
  }

  #tx(electionId: string, kind: Duty['kind'], body: unknown): Transaction {
    return signElectionTx(this.#init.genesis, this.#init.signer, kind, electionId, body, this.#id);
  }

  /** The duties owed now, by the applied state of `registry` (nothing already on chain). */
  duties(registry: ElectionRegistry): Duty[] {
    const out: Duty[] = [];
    for (const e of registry.list()) {
      const d = this.#duty(e);
      if (d !== undefined) out.push(d);
    }
    return out;
  }

  #duty(e: ElectionRecord): Duty | undefined {
    const setup = e.setup;
    if (setup === undefined) return undefined;
    const i = this.#init.self;
    const j = i + 1;
    const { store, rng } = this.#init;
    const id = e.electionId;
    // A trustee whose key missed the key phase takes no further part in this election: no dealing,
    // no complaints, no share, no partial decryption (the chain would refuse them).
    if (e.participants !== undefined && !e.participants.includes(j)) return undefined;
    switch (e.phase) {
      case 'keys': {
        if (e.keys[i] !== undefined) return undefined;
        const kept = store.get(id);
        if (kept !== undefined)
          return { electionId: id, kind: 'dkg-key', tx: this.#tx(id, 'dkg-key', kept.keyMessage) };
        const { secret, message } = makeTrusteeKey(setup, j, rng);
        const record = { electionId: id, secret, keyMessage: message };
        return { electionId: id, kind: 'dkg-key', tx: this.#tx(id, 'dkg-key', message), record };
      }
      case 'dealings': {
        if (e.dealings[i] !== undefined || store.get(id) === undefined) return undefined;
        const keys = e.keys.filter((k) => k !== undefined);
        return { electionId: id, kind: 'dkg-dealing', tx: this.#tx(id, 'dkg-dealing', dkgRound1(setup, j, keys, rng)) };
      }
      case 'complaints': {
        const kept = store.get(id);
        if (e.complaints[i] !== undefined || kept === undefined) return undefined;
        const keys = e.keys.filter((k) => k !== undefined);
        const complaints: Complaint[] = [];
        for (const dealing of e.dealings) {
          if (dealing === undefined) continue;
          try {
            openShare(setup, keys, dealing, kept.secret);
          } catch (err) {
            if (!(err instanceof ProtocolError) || err.code !== ProtocolErrorCode.DKG_BAD_SHARE) throw err;
            complaints.push(makeComplaint(setup, keys, dealing, kept.secret, rng));
          }
        }
        const body: ComplaintsMessage = { type: COMPLAINTS_TYPE, v: 1, trustee: j, complaints };
        return { electionId: id, kind: 'dkg-complaints', tx: this.#tx(id, 'dkg-complaints', body) };
      }
      case 'tallying':
      case 'decrypted': {
        if (e.partials.has(j) || e.params === undefined || e.aggregate === undefined) return undefined;
        const share = this.share(e);
        const kept = store.get(id);
        if (share === undefined || kept === undefined) return undefined;
        const partial = partialDecrypt(e.params, share, e.aggregate, rng);
        const tx = this.#tx(id, 'partial', partial);
        // The share is kept with the secret before the first partial decryption leaves.
        return { electionId: id, kind: 'partial', tx, ...(kept.share ? {} : { record: { ...kept, share } }) };
      }
      default:
        return undefined;
    }
  }

  /** This trustee's share s_j of an election whose key ceremony finished (from its secret and the chain). */
  share(e: ElectionRecord): TrusteeShare | undefined {
    const cached = this.#shares.get(e.electionId);
    if (cached !== undefined) return cached;
    const kept = this.#init.store.get(e.electionId);
    if (kept === undefined || e.setup === undefined || e.params === undefined) return undefined;
    if (e.participants !== undefined && !e.participants.includes(this.#init.self + 1)) return undefined;
    if (kept.share !== undefined) {
      this.#shares.set(e.electionId, kept.share);
      return kept.share;
    }
    const r = finalizeKey(
      e.setup,
      e.keys.filter((k) => k !== undefined),
      e.dealings.filter((d) => d !== undefined),
      e.complaints.flatMap((c) => c?.complaints ?? []),
      kept.secret,
    );
    if (r.share === undefined) return undefined;
    this.#shares.set(e.electionId, r.share);
    return r.share;
  }
}
