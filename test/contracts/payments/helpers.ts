/** Fixtures, terms builders and helpers shared by the ConditionalEscrow test files in this folder. */
import { ethers, upgrades } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ConditionalEscrow, IConditionalEscrow } from "../../../typechain-types";
import { deployToken, lei, Role, UNLIMITED, type TokenFixture } from "../../helpers/fixtures";
import { mined } from "../settlement/helpers";

export { mined };

export const DAY = 86_400;
export const BPS = 10_000n;
/** What the payer holds at the start of every test. */
export const FUNDS = 10_000_000n;
export const SANCTION_CODE = 7;
export const REF = ethers.id("PO-2026-0001");
export const EVIDENCE = ethers.id("delivery note DN-7731");

/** IConditionalEscrow enums. */
export const Kind = { Attestation: 0, Time: 1, Proof: 2 } as const;
export const Attest = { Delivered: 0, Accepted: 1, InvoiceApproved: 2 } as const;
export const Combine = { All: 0, Any: 1 } as const;
export const MS = { Pending: 0n, Released: 1n, Refunded: 2n, Disputed: 3n, Split: 4n } as const;
export const AS = { None: 0n, Active: 1n, Closed: 2n, Cancelled: 3n } as const;

export const KYC_CIRCUIT = ethers.encodeBytes32String("kyc_membership");
export const KYC_TIER_CIRCUIT = ethers.encodeBytes32String("kyc_tier");
export const AMOUNT_CIRCUIT = ethers.encodeBytes32String("amount_limit");

export type Condition = IConditionalEscrow.ConditionStruct;
export type MilestoneTerms = IConditionalEscrow.MilestoneTermsStruct;
export type AgreementTerms = IConditionalEscrow.AgreementTermsStruct;

const condition = (over: Partial<Condition>): Condition => ({
  kind: Kind.Attestation,
  attestation: Attest.Delivered,
  notBefore: 0,
  attestorMask: 0,
  threshold: 0,
  circuitId: ethers.ZeroHash,
  expected: 0n,
  limit: 0n,
  ...over,
});

/**
 * Attestation condition: `threshold` of the attestors in `mask` (bit i = the agreement's attestor i)
 * attested `kind`. The defaults are the standard agreement's rule: 2 of its 3 attestors.
 */
export const attested = (kind: number, mask = 0b111, threshold = 2): Condition =>
  condition({ kind: Kind.Attestation, attestation: kind, attestorMask: mask, threshold });
/** Time condition: releasable from `at`. */
export const notBefore = (at: number | bigint): Condition => condition({ kind: Kind.Time, notBefore: at });
/** Proof condition of `circuitId` with public signal 0 `expected` (and 1 `limit`). */
export const proven = (circuitId: string, expected: bigint, limit = 0n): Condition =>
  condition({ kind: Kind.Proof, circuitId, expected, limit });

export const milestone = (
  payee: string,
  amount: bigint,
  deadline: number | bigint,
  conditions: Condition[],
  combine: number = Combine.All,
): MilestoneTerms => ({ payee, amount, deadline, combine, conditions });

export interface EscrowFixture extends TokenFixture {
  escrow: ConditionalEscrow;
  escrowAddress: string;
  tokenAddress: string;
  /** The CORPORATE member (signer 6), holding FUNDS with unlimited limits, the escrow approved. */
  payer: HardhatEthersSigner;
  /** Banks 0 and 1 (signers 2, 3). */
  payees: HardhatEthersSigner[];
  /** Bank 2 (signer 4): a member with no part in any agreement, who triggers releases and refunds. */
  keeper: HardhatEthersSigner;
  /** Bank 3 (signer 5). */
  arbiter: HardhatEthersSigner;
  /** Signers 8, 9, 10, admitted as CORPORATE members (inspection firms). */
  attestors: HardhatEthersSigner[];
  /** Signer 11: a member that is not an attestor of anything. */
  stranger: HardhatEthersSigner;
}

/**
 * deployToken, then the escrow behind a UUPS proxy (owner signer 0), admitted as a CORPORATE member
 * with unlimited limits; the payer funded and approving the escrow for everything.
 */
export async function deployEscrow(): Promise<EscrowFixture> {
  const f = await deployToken();
  const { registry, token, operator, banks, corporate, others } = f;
  const factory = await ethers.getContractFactory("ConditionalEscrow");
  const escrow = (await upgrades.deployProxy(factory, [f.owner.address, await registry.getAddress()], {
    kind: "uups",
  })) as unknown as ConditionalEscrow;
  await escrow.waitForDeployment();
  const escrowAddress = await escrow.getAddress();
  await mined(registry.admitMember(escrowAddress, Role.CORPORATE, lei("ESCROW"), "Escrow", UNLIMITED, UNLIMITED));
  const attestors = others.slice(7, 10);
  for (const [i, a] of attestors.entries()) {
    await mined(registry.admitMember(a.address, Role.CORPORATE, lei(`INSPECT${i}`), `Inspector ${i}`, 1n, 1n));
  }
  const stranger = others[10];
  await mined(registry.admitMember(stranger.address, Role.CORPORATE, lei("STRANGER"), "Stranger", 1n, 1n));
  // Only banks can be issued to: the payer is a bank for the one mint.
  await mined(registry.setRoles(corporate.address, Role.CORPORATE | Role.MEMBER_BANK));
  await mined(token.connect(operator).mint(corporate.address, FUNDS));
  await mined(registry.setRoles(corporate.address, Role.CORPORATE));
  await mined(registry.setLimits(corporate.address, UNLIMITED, UNLIMITED));
  await mined(token.connect(corporate).approve(escrowAddress, ethers.MaxUint256));
  return {
    ...f,
    escrow,
    escrowAddress,
    tokenAddress: await token.getAddress(),
    payer: corporate,
    payees: [banks[0], banks[1]],
    keeper: banks[2],
    arbiter: banks[3],
    attestors,
    stranger,
  };
}

export const M0 = 100_000n;
export const M1 = 250_000n;
export const M2 = 150_000n;
export const TOTAL = M0 + M1 + M2;

/**
 * The standard agreement (each attestation condition: 2 of the 3 attestors), deadlines counted from `now`:
 * 0. payee 0, 1,000.00, deadline +30 d, Delivered;
 * 1. payee 1, 2,500.00, deadline +60 d, ALL(Accepted, not before +10 d);
 * 2. payee 0, 1,500.00, deadline +90 d, ANY(InvoiceApproved, not before +80 d).
 */
export function standardTerms(f: EscrowFixture, now: number): AgreementTerms {
  return {
    token: f.tokenAddress,
    arbiter: f.arbiter.address,
    attestors: f.attestors.map((a) => a.address),
    ref: REF,
    milestones: [
      milestone(f.payees[0].address, M0, now + 30 * DAY, [attested(Attest.Delivered)]),
      milestone(f.payees[1].address, M1, now + 60 * DAY, [attested(Attest.Accepted), notBefore(now + 10 * DAY)]),
      milestone(
        f.payees[0].address,
        M2,
        now + 90 * DAY,
        [attested(Attest.InvoiceApproved), notBefore(now + 80 * DAY)],
        Combine.Any,
      ),
    ],
  };
}

/** Create `terms` from `from` (the payer by default); returns the new agreement's id. */
export async function create(
  f: EscrowFixture,
  terms: AgreementTerms,
  from: HardhatEthersSigner = f.payer,
): Promise<bigint> {
  await mined(f.escrow.connect(from).createAgreement(terms));
  return f.escrow.agreementCount();
}

export interface AgreementFixture extends EscrowFixture {
  id: bigint;
  terms: AgreementTerms;
  /** The creation block's timestamp. */
  t0: number;
}

/** deployEscrow plus the standard agreement, id 1. */
export async function deployAgreement(): Promise<AgreementFixture> {
  const f = await deployEscrow();
  const t0 = (await time.latest()) + 1;
  await time.setNextBlockTimestamp(t0);
  const terms = standardTerms(f, t0);
  const id = await create(f, terms);
  return { ...f, id, terms, t0 };
}

/** The first `k` attestors attest `kind` on chain for a milestone. */
export async function attestBy(
  f: EscrowFixture,
  id: bigint,
  index: number,
  kind: number,
  k: number,
  evidence = EVIDENCE,
): Promise<void> {
  for (const a of f.attestors.slice(0, k)) await mined(f.escrow.connect(a).attest(id, index, kind, evidence));
}

export interface AttestationMessage {
  agreement: bigint;
  milestone: bigint | number;
  kind: number;
  evidenceHash: string;
  /** The last second at which the signature may be submitted. */
  deadline: bigint | number;
}

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "agreement", type: "uint256" },
    { name: "milestone", type: "uint256" },
    { name: "kind", type: "uint8" },
    { name: "evidenceHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
  ],
};

/** A signature deadline far enough ahead for any test that does not travel in time past it. */
export const SIG_DEADLINE = 2n ** 40n;

/** The escrow's EIP-712 domain (`chainId` and `verifyingContract` overridable to forge replays). */
export async function attestationDomain(
  f: EscrowFixture,
  over: { chainId?: bigint; verifyingContract?: string } = {},
): Promise<{ name: string; version: string; chainId: bigint; verifyingContract: string }> {
  return {
    name: "Clearhouse ConditionalEscrow",
    version: "1",
    chainId: over.chainId ?? (await ethers.provider.getNetwork()).chainId,
    verifyingContract: over.verifyingContract ?? f.escrowAddress,
  };
}

/** An EIP-712 Attestation signed offline by `signer`. */
export async function signAttestation(
  f: EscrowFixture,
  signer: HardhatEthersSigner,
  message: AttestationMessage,
  over: { chainId?: bigint; verifyingContract?: string } = {},
): Promise<string> {
  return signer.signTypedData(await attestationDomain(f, over), ATTESTATION_TYPES, message);
}

/** A cancel consent's expiry: a day after the latest block. */
export async function consentUntil(): Promise<number> {
  return (await time.latest()) + DAY;
}

/** `submitAttestations`'s entries for `signers` (all signing with `deadline`). */
export const sigEntries = (signers: string[], signatures: string[], deadline: bigint | number = SIG_DEADLINE) =>
  signers.map((signer, i) => ({ signer, deadline, signature: signatures[i] }));

/** Token balances of `accounts` (addresses or signers). */
export async function balances(f: TokenFixture, accounts: ReadonlyArray<string | { address: string }>) {
  return Promise.all(accounts.map((a) => f.token.balanceOf(typeof a === "string" ? a : a.address)));
}

/** Suspend or sanction `account`; returns the registry error the token's transfer raises for it. */
export async function impair(
  f: TokenFixture,
  account: string,
  how: "suspended" | "sanctioned",
): Promise<{ name: string; args: unknown[] }> {
  if (how === "sanctioned") {
    await mined(f.registry.addSanction(account, SANCTION_CODE));
    return { name: "RegistryAccountSanctioned", args: [account, SANCTION_CODE] };
  }
  const receipt = await mined(f.registry.suspendMember(account));
  return { name: "RegistryMemberSuspended", args: [account, receipt.blockNumber] };
}

/** Undo `impair`. */
export async function restore(f: TokenFixture, account: string, how: "suspended" | "sanctioned"): Promise<void> {
  if (how === "sanctioned") await mined(f.registry.removeSanction(account, SANCTION_CODE));
  else await mined(f.registry.reinstateMember(account));
}
