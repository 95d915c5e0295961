/** Fixtures and signing helpers shared by the OfflineVault test files in this folder. */
import { ethers, upgrades } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseWallet, Signer, TypedDataDomain } from "ethers";
import type { IOfflineVault, OfflineVault } from "../../../typechain-types";
import { deployToken, lei, Role, UNLIMITED } from "../../helpers/fixtures";
import { claimLeaf, OFFLINE_TYPES } from "../../../packages/sdk/src/offline";

export const DAY = 86_400;
export const GRACE = 7 * DAY;
export const WINDOW = DAY;
/** 100% of live allowances held as guarantee. */
export const BPS = 10_000;
/** e-CNY's offline figures in cents: 500.00 a voucher, 10 vouchers. */
export const CAP = 50_000n;
export const COUNT = 10;
/** Tier 2 (ID + bank account): 50,000 / 100,000 / 500,000.00. */
export const TIER = 2;
export const WALLET_FUNDS = 2_000_000n;
export const GUARANTEE = 2_000_000n;

export const Status = { None: 0n, Live: 1n, Unfunded: 2n, Released: 3n } as const;
export const BatchStatus = { None: 0n, Pending: 1n, Settled: 2n } as const;

export type Cert = IOfflineVault.AllowanceCertStruct;
export type VoucherT = IOfflineVault.VoucherStruct;
export type Claim = IOfflineVault.BulkClaimStruct;

/** The SDK's EIP-712 types (docs/spec/offline-vouchers.md §2–3), as ethers takes them. */
export const CERT_TYPES = { AllowanceCert: [...OFFLINE_TYPES.AllowanceCert] };
export const VOUCHER_TYPES = { Voucher: [...OFFLINE_TYPES.Voucher] };

/**
 * Registry + token + vault: bank A (signer 2) holds customer wallets payer1/payer2 (signers 8, 9),
 * bank B (signer 3) holds merchants shop1/shop2 (signers 10, 11); all tier 2. The payers hold
 * 20,000.00 each; bank A posted a 20,000.00 guarantee; the vault is an admitted member.
 */
export async function vaultFixture() {
  const base = await deployToken();
  const { registry, token, operator, banks } = base;
  const signers = await ethers.getSigners();
  const [payer1, payer2, shop1, shop2, stranger] = signers.slice(8, 13);
  const [bankA, bankB] = banks;
  await registry.setTier(TIER, 5_000_000n, 10_000_000n, 50_000_000n);
  for (const b of [bankA, bankB]) await registry.setLimits(b.address, UNLIMITED, UNLIMITED);
  for (const w of [payer1, payer2]) await registry.connect(bankA).openWallet(w.address, TIER);
  for (const w of [shop1, shop2]) await registry.connect(bankB).openWallet(w.address, TIER);
  const factory = await ethers.getContractFactory("OfflineVault");
  const vault = (await upgrades.deployProxy(
    factory,
    [base.owner.address, await registry.getAddress(), await token.getAddress(), GRACE, WINDOW, BPS],
    { kind: "uups" },
  )) as unknown as OfflineVault;
  await vault.waitForDeployment();
  const vaultAddress = await vault.getAddress();
  await registry.admitMember(vaultAddress, Role.CORPORATE, lei("VAULT"), "Offline vault", UNLIMITED, UNLIMITED);
  for (const b of [bankA, bankB]) await token.connect(operator).mint(b.address, 10_000_000n);
  for (const w of [payer1, payer2]) {
    await token.connect(bankA).transfer(w.address, WALLET_FUNDS);
    await token.connect(w).approve(vaultAddress, WALLET_FUNDS);
  }
  await token.connect(bankA).approve(vaultAddress, UNLIMITED);
  await token.connect(bankB).approve(vaultAddress, UNLIMITED);
  await vault.connect(bankA).postGuarantee(GUARANTEE, 0);
  const domain: TypedDataDomain = {
    name: "Clearhouse Offline",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: vaultAddress,
  };
  return { ...base, vault, vaultAddress, domain, bankA, bankB, payer1, payer2, shop1, shop2, stranger };
}

export type VaultFixture = Awaited<ReturnType<typeof vaultFixture>>;

/** A random device key (it only signs; it never sends a transaction). */
export const newDevice = (): BaseWallet => ethers.Wallet.createRandom() as unknown as BaseWallet;

let nonce = 0n;

/** A certificate for `wallet` at `bank`, device `device`, expiring in `days` days. */
export async function certFor(
  f: VaultFixture,
  wallet: HardhatEthersSigner,
  device: BaseWallet,
  over: Partial<Cert> = {},
  days = 30,
): Promise<Cert> {
  return {
    wallet: wallet.address,
    device: device.address,
    bank: f.bankA.address,
    cap: CAP,
    count: COUNT,
    expiry: BigInt(await time.latest()) + BigInt(days * DAY),
    nonce: ++nonce,
    ...over,
  };
}

export const signCert = (f: VaultFixture, signer: Signer, cert: Cert): Promise<string> =>
  signer.signTypedData(f.domain, CERT_TYPES, cert);

/** The wallet's consent to a certificate: its signature over the certificate's id. */
export async function consent(f: VaultFixture, cert: Cert): Promise<string> {
  const wallet = (await ethers.getSigners()).find((s) => s.address === cert.wallet);
  if (!wallet) return "0x"; // not a key of this chain: no consent
  return wallet.signTypedData(f.domain, CERT_TYPES, cert);
}

export const certId = (f: VaultFixture, cert: Cert): string => ethers.TypedDataEncoder.hash(f.domain, CERT_TYPES, cert);

/** Sign and anchor a certificate (sent by its bank); returns its id. */
export async function anchored(f: VaultFixture, cert: Cert): Promise<string> {
  const bank = [f.bankA, f.bankB].find((b) => b.address === cert.bank)!;
  await (
    await f.vault.connect(bank).anchorAllowance(cert, await signCert(f, bank, cert), await consent(f, cert))
  ).wait();
  return certId(f, cert);
}

/** A voucher of `cert` (id `id`) signed by `device`. */
export async function voucher(
  f: VaultFixture,
  device: BaseWallet,
  id: string,
  cert: Cert,
  payee: string,
  amount: bigint,
  serial: number,
  over: Partial<VoucherT> = {},
): Promise<{ v: VoucherT; sig: string; digest: string }> {
  const v: VoucherT = { allowanceId: id, device: device.address, payee, amount, serial, expiry: cert.expiry, ...over };
  const sig = await device.signTypedData(f.domain, VOUCHER_TYPES, v);
  return { v, sig, digest: ethers.TypedDataEncoder.hash(f.domain, VOUCHER_TYPES, v) };
}

/** Bulk claim of one allowance's vouchers (in serial order). */
export function claimOf(id: string, vs: { v: VoucherT }[]): Claim {
  const sorted = [...vs].sort((a, b) => Number(a.v.serial) - Number(b.v.serial));
  return {
    allowanceId: id,
    serials: sorted.reduce((m, { v }) => m | (1n << BigInt(Number(v.serial) - 1)), 0n),
    vouchers: sorted.map(({ v }) => ({ payee: v.payee, amount: v.amount, expiry: v.expiry })),
  };
}

/** The leaf the vault hashes for a claim (spec §5), as the SDK computes it. */
export function leafOf(f: VaultFixture, claim: Claim, device: string): string {
  const domain = { chainId: Number(f.domain.chainId), vault: f.vaultAddress as `0x${string}` };
  return claimLeaf(
    domain,
    {
      allowanceId: claim.allowanceId as `0x${string}`,
      serials: BigInt(claim.serials),
      vouchers: claim.vouchers.map((v) => ({
        payee: v.payee as `0x${string}`,
        amount: BigInt(v.amount),
        expiry: BigInt(v.expiry),
      })),
    },
    device as `0x${string}`,
  );
}
