import { describe, it, expect } from '@jest/globals';
import {
  authorityAddress,
  ethBlockSchema,
  ethHeaderSchema,
  ethReceiptSchema,
  ethTransactionSchema,
  genesisHash,
  txHash,
} from '@poa-vote/shared';
import {
  EMPTY_BLOOM,
  ZERO_ADDRESS,
  formatBlock,
  formatGenesisBlock,
  formatHeader,
  formatReceipt,
  formatTransaction,
  inputData,
} from '../../../src/api/format.js';
import { FakeBackend } from './fakeBackend.js';
import { HASH_RE, QUANTITY_RE } from './helpers.js';

describe('Ethereum shapes', () => {
  it('renders ballots as input data: hex as is (lowercased), anything else as its UTF-8 bytes', () => {
    expect(inputData('0xDEADbeef')).toBe('0xdeadbeef');
    expect(inputData('hi')).toBe('0x6869');
    expect(inputData('0xabc')).toBe(`0x${Buffer.from('0xabc').toString('hex')}`);
  });

  it('renders receipts with canonical quantities and cumulative gas by position', () => {
    const r = formatReceipt({
      transactionHash: `0x${'1'.repeat(64)}`,
      transactionIndex: 0,
      blockHash: `0x${'2'.repeat(64)}`,
      blockNumber: 16,
      from: 'v',
      to: 'election-1',
      status: 'success',
    });
    expect(r).toMatchObject({
      transactionIndex: '0x0',
      blockNumber: '0x10',
      gasUsed: '0x5208',
      cumulativeGasUsed: '0x5208',
      status: '0x1',
      logsBloom: EMPTY_BLOOM,
    });
    expect(EMPTY_BLOOM).toHaveLength(2 + 512);
    const third = formatReceipt({
      transactionHash: `0x${'1'.repeat(64)}`,
      transactionIndex: 2,
      blockHash: `0x${'2'.repeat(64)}`,
      blockNumber: 1,
      from: 'v',
      to: 'election-1',
      status: 'success',
    });
    expect(third.cumulativeGasUsed).toBe('0xf618');
    expect(r).toMatchObject({ voterId: 'v', electionId: '1' });
    expect(r.from).toMatch(/^0x[0-9a-f]{40}$/);
    expect(ethReceiptSchema.parse(r)).toEqual(r);
  });

  it('renders a pending transaction with null location fields', () => {
    const tx = { from: 'v', to: 'election-1', data: 'ballot' };
    const t = formatTransaction(tx, txHash(tx), 1337, {});
    expect(t).toMatchObject({
      blockHash: null,
      blockNumber: null,
      transactionIndex: null,
      chainId: '0x539',
      input: '0x62616c6c6f74',
      voterId: 'v',
      electionId: '1',
      ethereumSigned: false,
      v: '0x0',
      r: '0x0',
      s: '0x0',
    });
    expect(t).not.toHaveProperty('data');
    expect(ethTransactionSchema.parse(t)).toEqual(t);
  });

  it('renders the genesis as block 0: genesis hash, genesis time, no transactions, final', () => {
    const backend = new FakeBackend();
    const g = formatGenesisBlock(backend.genesis);
    expect(g).toMatchObject({
      number: '0x0',
      hash: genesisHash(backend.genesis),
      timestamp: `0x${Math.floor(backend.genesis.genesisTime / 1000).toString(16)}`,
      transactions: [],
      miner: ZERO_ADDRESS,
      finalized: true,
      certificate: null,
    });
    expect(ethBlockSchema.parse(g)).toEqual(g);
  });

  it('renders blocks and headers: quantities canonical, hashes 32 bytes, extra fields present', () => {
    const backend = new FakeBackend();
    void backend.submit([
      { tx: { from: 'a', to: 'election-1', data: 'x' } },
      { tx: { from: 'b', to: 'election-1', data: 'y' } },
    ]);
    const fb = backend.finalizePending();
    const header = formatHeader(fb.block, backend.authorities, fb.certificate);
    expect((header as Record<string, unknown>).transactions).toBeUndefined();
    expect(ethHeaderSchema.parse(header)).toEqual(header);
    expect(header).toMatchObject({
      miner: authorityAddress(backend.authorities[fb.block.header.proposer]!.publicKey),
      proposer: backend.authorities[fb.block.header.proposer]!.id,
      proposerIndex: fb.block.header.proposer,
      gasUsed: '0xa410',
      finalized: true,
    });
    const block = formatBlock(fb.block, backend.authorities, null, false);
    expect(block.finalized).toBe(false);
    expect(block.transactions).toEqual(fb.block.transactions.map(txHash));
    for (const [k, v] of Object.entries(block)) {
      if (
        [
          'number',
          'timestamp',
          'gasUsed',
          'gasLimit',
          'difficulty',
          'totalDifficulty',
          'slot',
          'size',
          'chainId',
          'txCount',
        ].includes(k)
      )
        expect(v).toMatch(QUANTITY_RE);
      if (
        [
          'hash',
          'parentHash',
          'mixHash',
          'stateRoot',
          'receiptsRoot',
          'transactionsRoot',
          'txRoot',
          'sha3Uncles',
        ].includes(k)
      )
        expect(v).toMatch(HASH_RE);
    }
    expect(ethBlockSchema.parse(formatBlock(fb.block, backend.authorities, fb.certificate, true))).toBeTruthy();
    // A proposer index outside the authority list still renders (zero miner, the index as proposer).
    expect(
      formatHeader({ ...fb.block, header: { ...fb.block.header, proposer: 9 } }, backend.authorities, null),
    ).toMatchObject({ miner: ZERO_ADDRESS, proposer: '9' });
  });
});
