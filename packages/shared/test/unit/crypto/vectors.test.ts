import { describe, expect, it } from '@jest/globals';
import {
  addBallots,
  aggregateHash,
  ballotToData,
  bytesToHex,
  candidatesHash,
  canonicalize,
  decryptTally,
  dkgRound1,
  electionSetup,
  encodeAggregate,
  encryptBallot,
  finalizeKey,
  makeTrusteeKey,
  partialDecrypt,
  prepareElection,
  seededRng,
  setupHash,
  sha256Hex,
  utf8ToBytes,
  verifyBallot,
} from '@poa-vote/shared';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { encrypt } from '../../../src/crypto/elgamal.js';
import { TAGS, Transcript } from '../../../src/crypto/transcript.js';

/**
 * Known-answer vectors: fixed seeds give fixed encodings. The same values are printed in
 * docs/PROTOCOL.md ("Encrypted ballots", test vectors); a change here is a protocol change.
 */
const SETUP = electionSetup({
  chainId: 1337,
  electionId: '7',
  candidates: ['alice', 'bob', 'carol', 'dave'],
  minSelections: 1,
  maxSelections: 1,
  trustees: ['validator-1', 'validator-2', 'validator-3'],
  threshold: 2,
});

const PARAMS =
  '{"publicKey":"0xfa2c027a064b018904b5d27c0aa1c3996d4a65c596bda46a6887063e65017727","setup":{"candidates":["alice","bob","carol","dave"],"chainId":1337,"electionId":"7","maxSelections":1,"minSelections":1,"threshold":2,"trustees":["validator-1","validator-2","validator-3"],"type":"poa-evoting/election-setup","v":1},"type":"poa-evoting/election-params","v":1,"verificationKeys":["0x56de00bcf0e4cebc375963adb7e93ea412b8eec941596ba40c317928517c6a3a","0x68452381a0b57874d2d5c2cfcd0a4168e0f773558340d73eca497e855662886b","0xcee8d93d395667252b7314a7571b7e1a475615f3f74101ffa37b1a4781414c78"]}';
const TRUSTEE_KEY_1 =
  '{"key":"0x443d81e18e9f08fe996d0d02be518532558e08f58b895223f832cb65dd9ccb0c","proof":{"c":"0x5894edc790cdae033609fef5fe36683b","v":"0xfdb9da57afe4e97849756d297b1e501b9d8cade8fcafea22c681f0cda26bf300"},"trustee":1,"type":"poa-evoting/dkg-trustee-key","v":1}';
const BALLOT =
  '{"limitProof":[{"c":"0x007723fc13c5db6529166a89b692984a","v":"0x5741b7fcd579c90601eaf4a2abf583c2ede4b52fd433ca2c7be70e006ce5a603"}],"selections":[{"alpha":"0xea935ea9a0b140c61ad9b5296852f27789d46ee5d97bbab4b27d6c1a1f0f045d","beta":"0x7a355c1ba7f09c561f0a4fd8039d539a91c00024392dd502317392a61ae29433","proof":[{"c":"0xe9952f028cd4bbe03be06b48405b589a","v":"0x329886bdd29274cf13c7af364654356120200b1da4dfc533d5fd167f0410040a"},{"c":"0x58dd01cf8e6621c6ea5215ca80cb5ae6","v":"0xf6a380c4b4f45fc5a773df5c75af01e4d48b88b8e9fd8e86b3cd6c83ed84fc01"}]},{"alpha":"0xd4c46ae3530a45594efcd60c9bc66f65f8fc05496f40c46f8dfb4f806178527a","beta":"0xaab15ad3b9f40506c18e34118721870254fb6a7a9f3439599c9b646c7ca28d7d","proof":[{"c":"0xab4dbd9ae4df3ef2b0a102e951b0fa16","v":"0x4f5dc2d3a28835e8219f76fb95a21ea90b4561e8810780d7d26f11c74f009000"},{"c":"0x079d13dbe580ef6c427043213c71243d","v":"0xdd88fea8b89d5e959d084f0a77d0357409be1cd2cb2a2c7d900d9f5c2835450f"}]},{"alpha":"0xf88b566e7950c66a873376d67df8e13f793d143715730e721f136726c0beca0f","beta":"0xceb99a89d71ca1814ff7bf0b3b48facf1c808c4aa3e6b11cefa81eefa1999979","proof":[{"c":"0x883673ba3f87ae1c0c41a937e1e4f13e","v":"0xfb084b7610fdec891382a35dcde46840548622cd790a54f7329c7f087c42cf05"},{"c":"0xac9159760853e5a0e95f30954cc6db2b","v":"0x51e04563beb44468e9beacdb13f71749195bb7b6a19a9fe2ed164c347f84a40e"}]},{"alpha":"0x3645a2a030582cad1973a23392f017d039625c94681a4d187298ce1412a62d35","beta":"0x76741b6fb254c44e59a22a12272d48e4ac4964212cf2710aefa7a46f14279443","proof":[{"c":"0xd85c81f99388be83541ec4b263a06f2c","v":"0x0089a627c9836fd4a14c8d379ce95999426c44bacd54c4702b48ac2a4f106505"},{"c":"0x0ec8519d82a4c71bf11a2856d8cd143b","v":"0x5b921b4b1e85056431ceb6b7930e12c94ae4fc2ca823bfd5ff693be48c30700a"}]}],"type":"poa-evoting/ballot","v":1}';

describe('known-answer vectors', () => {
  it('primitives: the seeded test rng and Enc(1; 7) under K = 5G', () => {
    expect(bytesToHex(seededRng('poa-evoting/kat')(16))).toBe('0xe2d2aeb64ac28748ae22b5d8235d0821');
    const G = ristretto255.Point.BASE;
    const ct = encrypt(G.multiply(5n), 1, 7n);
    // RFC 9496 lists 5G and 7G; beta = 1G + 7*5G = 36G.
    expect(G.multiply(5n).toHex()).toBe('e882b131016b52c1d3337080187cf768423efccbb517bb495ab812c4160ff44e');
    expect(ct.alpha.toHex()).toBe('44f53520926ec81fbd5a387845beb7df85a96a24ece18738bdcfa6a7822a176d');
    expect(ct.beta.toHex()).toBe('6ab79d1d77b9f25e3c0ec90b6fc49cbb576b76c375f1e3c6848ace9b9d3bf86a');
  });

  it('transcripts and election hashes, byte for byte', () => {
    const cand = new Transcript(TAGS.candidates).uint(4).text('alice').text('bob').text('carol').text('dave');
    expect(bytesToHex(cand.encode())).toBe(
      '0x00000019706f612d65766f74696e672f76312f63616e6469646174657300000008000000000000000400000005616c69636500000003626f62000000056361726f6c0000000464617665',
    );
    expect(bytesToHex(candidatesHash(SETUP.candidates))).toBe(
      '0xcb72bf1a995c4f65f7fc8d60454237810601c4ee449133c0726985f6ebe92f05',
    );
    expect(sha256Hex(cand.encode())).toBe('0xcb72bf1a995c4f65f7fc8d60454237810601c4ee449133c0726985f6ebe92f05');
    const st = new Transcript(TAGS.setup)
      .uint(1337)
      .text('7')
      .bytes(candidatesHash(SETUP.candidates))
      .uint(1)
      .uint(1)
      .uint(2)
      .uint(3)
      .text('validator-1')
      .text('validator-2')
      .text('validator-3');
    expect(bytesToHex(st.encode())).toBe(
      '0x00000014706f612d65766f74696e672f76312f7365747570000000080000000000000539000000013700000020cb72bf1a995c4f65f7fc8d60454237810601c4ee449133c0726985f6ebe92f050000000800000000000000010000000800000000000000010000000800000000000000020000000800000000000000030000000b76616c696461746f722d310000000b76616c696461746f722d320000000b76616c696461746f722d33',
    );
    expect(bytesToHex(setupHash(SETUP))).toBe('0xeec6b099796c75593a9c5092e46a2c0612ef7935775650036217bec68d1b59a3');
    const e = prepareElection(JSON.parse(PARAMS));
    expect(bytesToHex(e.electionHash)).toBe('0x26be37fabf0007b9eef0ad102364e6e3c0aa654879b8c9ce88392358cff59650');
    const ctx = new Transcript(TAGS.selectionContext).bytes(e.electionHash).text('voter-42').uint(0);
    expect(bytesToHex(ctx.encode())).toBe(
      '0x0000001f706f612d65766f74696e672f76312f62616c6c6f742d73656c656374696f6e0000002026be37fabf0007b9eef0ad102364e6e3c0aa654879b8c9ce88392358cff5965000000008766f7465722d3432000000080000000000000000',
    );
    expect(bytesToHex(ctx.hash())).toBe('0x29efb5ae467151cf018ec6c2aed14663bca0ce1bb6906f16f9f97fa8a9a8b1bc');
  });

  it('key ceremony with seed "poa-evoting/kat": messages, parameters and shares', () => {
    const rng = seededRng('poa-evoting/kat');
    const made = [1, 2, 3].map((i) => makeTrusteeKey(SETUP, i, rng));
    const keys = made.map((m) => m.message);
    expect(canonicalize(keys[0])).toBe(TRUSTEE_KEY_1);
    const dealings = [1, 2, 3].map((i) => dkgRound1(SETUP, i, keys, rng));
    expect(sha256Hex(utf8ToBytes(canonicalize(dealings[0])))).toBe(
      '0xe7b02adecbecb91349b2e6625cdf948a96184a7ddd23ccbc3659f82359f1384e',
    );
    const results = made.map((m) => finalizeKey(SETUP, keys, dealings, [], m.secret));
    expect(canonicalize(results[0]!.params)).toBe(PARAMS);
    expect(results.map((r) => r.share!.secret)).toEqual([
      '0x3f8c29c50fc775094c3d38f8dd8fce13bbe19050d476f42c20133588980bc808',
      '0x65a9f8f050941b12fed294fc35097ea64bd791880dd44e056dae6b2383e27f04',
      '0x8bc6c71c9261c11ab068f1008e822d39dccc92c04631a9ddb949a2be6db93700',
    ]);
  });

  it('ballot of voter-42 for carol with seed "poa-evoting/kat/ballot", then a 2-ballot tally', () => {
    const params = JSON.parse(PARAMS);
    const b = encryptBallot(params, 'voter-42', 2, seededRng('poa-evoting/kat/ballot'));
    expect(ballotToData(b)).toBe(BALLOT);
    expect(sha256Hex(utf8ToBytes(BALLOT))).toBe('0x6d8281ddc729137f7f2fc71d1446c1446963a58d2c53e08cffc83df3e9023204');
    verifyBallot(params, 'voter-42', BALLOT);
    const b2 = encryptBallot(params, 'voter-43', 0, seededRng('poa-evoting/kat/ballot2'));
    const agg = addBallots(params, [verifyBallot(params, 'voter-42', b), verifyBallot(params, 'voter-43', b2)]);
    expect(canonicalize(encodeAggregate(agg))).toBe(
      '{"ciphertexts":[{"alpha":"0x6a4cc990480347f8f8d40ffcbec71daca0e47d0915574c7e245f2d87517c6340","beta":"0xaee6f1d7ab7a69e39f993d05a952886d9d8599ebc6cec80eb7fe5894689e1452"},{"alpha":"0x8237362e9907342d6a2882722251b44ad721124b074c13f601e8bb0268d91935","beta":"0x34640502f683b3fd8bbdfadd37ca00ba6a032188b556f56e6123c72795887878"},{"alpha":"0x7c52612cfcadd2d47932b45bc9ad90368385ee7f57f9dd0686f99119bfd27965","beta":"0xcad4e67c03ab7c546135d4ef4574d9ec82f2aa50727f991e713d258007cf4456"},{"alpha":"0x920f660b9ff444ed1a3fec059b31e2537fba0ffbd4c32b5aac4ded3ae25a5d63","beta":"0x34a800f2acf89de004d65b51080c930840ba109871fc85a1b4fdcc94b777231b"}],"count":2,"type":"poa-evoting/aggregate","v":1}',
    );
    expect(bytesToHex(aggregateHash(params, agg))).toBe(
      '0x0b4392b8ea4fa805cb0437162c08ba923d8a54df59ad013499cfa20efe5b68fa',
    );
    const share = (trustee: number, secret: string) => ({
      type: 'poa-evoting/trustee-share' as const,
      v: 1 as const,
      trustee,
      secret: secret as `0x${string}`,
    });
    const p1 = partialDecrypt(
      params,
      share(1, '0x3f8c29c50fc775094c3d38f8dd8fce13bbe19050d476f42c20133588980bc808'),
      agg,
      seededRng('poa-evoting/kat/partial-1'),
    );
    const p3 = partialDecrypt(
      params,
      share(3, '0x8bc6c71c9261c11ab068f1008e822d39dccc92c04631a9ddb949a2be6db93700'),
      agg,
      seededRng('poa-evoting/kat/partial-3'),
    );
    expect(canonicalize(p1)).toBe(
      '{"aggregate":"0x0b4392b8ea4fa805cb0437162c08ba923d8a54df59ad013499cfa20efe5b68fa","shares":[{"d":"0xea6b10ff44027ef29fa8f7d935d4964264b28a42737e7c8e73978200e25f6337","proof":{"c":"0x565331fa455e87dcea1d45a2e0e27315","v":"0xba2e58b35875fb875a8d4ce28602c975fb94b61d1f707c79767385c9cd896806"}},{"d":"0xce4ea7d95173084dbc3290926e703f2af64440f3ad6015e96662e92d45a66a1f","proof":{"c":"0xad120d68e5f313833a9c7a8e6d812c68","v":"0x60e584d4497f1cfef5f3722fc4905f406efefd0f06febef306b8397f3c0bbe05"}},{"d":"0x824476518364859214433c88135fe55c808133339d0027bc4b73785ef23a2f40","proof":{"c":"0x87b77cc4056dfac5cd37f5e978b2ebfd","v":"0x4682e062032770e883fed5c91e445f507c0358f467e6f3792e0e685482731d0a"}},{"d":"0xb218630e0b8ebb9d34585d1ccdd2669e3478ef01ee87276a7a09946e1bbf2d4f","proof":{"c":"0xc164b06031c74d98af9d747458fee484","v":"0xb21d10238da069e88b3519d19ff4382042cadc59e223da6807db4c666a50e70d"}}],"trustee":1,"type":"poa-evoting/partial-decryption","v":1}',
    );
    expect(decryptTally(params, agg, [p1, p3]).counts).toEqual([1, 0, 1, 0]);
  });
});
