/**
 * docs/spec/offline-vouchers.md's vectors (docs/spec/vectors/offline-vouchers.json), checked three
 * ways: (a) the SDK computes them again; (b) an implementation written from the spec alone (keccak
 * and ABI encoding, no EIP-712 library) gives the same id, digests, leaf and claims hash; (c) the
 * OfflineVault computes the same values for the same inputs in its own domain.
 */
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { computeVectors, VECTORS_JSON } from "../../../scripts/spec/offline-vouchers-vectors";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { certId, signCert, vaultFixture, voucher } from "./helpers";

interface V {
  deviceKey: string;
  domain: { chainId: number; vault: string };
  cert: { wallet: string; device: string; bank: string; cap: string; count: number; expiry: string; nonce: string };
  id: string;
  bankSignature: string;
  vouchers: { voucher: Record<string, string | number>; digest: string; signature: string }[];
  claim: { allowanceId: string; serials: string; vouchers: { payee: string; amount: string; expiry: string }[] };
  leaf: string;
  claimsHash: string;
}

const vectors = JSON.parse(readFileSync(VECTORS_JSON, "utf8")) as V;
const coder = ethers.AbiCoder.defaultAbiCoder();
const k = (s: string) => ethers.keccak256(ethers.toUtf8Bytes(s));

/** §1–§3 of the spec, by hand. */
function fromSpec(v: V) {
  const domainSeparator = ethers.keccak256(
    coder.encode(
      ["bytes32", "bytes32", "bytes32", "uint256", "address"],
      [
        k("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
        k("Clearhouse Offline"),
        k("1"),
        v.domain.chainId,
        v.domain.vault,
      ],
    ),
  );
  const digest = (structHash: string) => ethers.keccak256(ethers.concat(["0x1901", domainSeparator, structHash]));
  const c = v.cert;
  const id = digest(
    ethers.keccak256(
      coder.encode(
        ["bytes32", "address", "address", "address", "uint128", "uint16", "uint64", "uint64"],
        [
          k(
            "AllowanceCert(address wallet,address device,address bank,uint128 cap,uint16 count,uint64 expiry,uint64 nonce)",
          ),
          c.wallet,
          c.device,
          c.bank,
          c.cap,
          c.count,
          c.expiry,
          c.nonce,
        ],
      ),
    ),
  );
  const voucherDigest = (x: Record<string, string | number>) =>
    digest(
      ethers.keccak256(
        coder.encode(
          ["bytes32", "bytes32", "address", "address", "uint128", "uint16", "uint64"],
          [
            k("Voucher(bytes32 allowanceId,address device,address payee,uint128 amount,uint16 serial,uint64 expiry)"),
            x.allowanceId,
            x.device,
            x.payee,
            x.amount,
            x.serial,
            x.expiry,
          ],
        ),
      ),
    );
  const digests = v.vouchers.map((x) => voucherDigest(x.voucher));
  const leaf = ethers.keccak256(
    coder.encode(["bytes32", "uint64", "bytes32"], [id, v.claim.serials, ethers.keccak256(ethers.concat(digests))]),
  );
  return { id, digests, leaf, claimsHash: ethers.keccak256(leaf) };
}

describe("docs/spec/offline-vouchers.md vectors", () => {
  it("are what the SDK computes", async () => {
    expect(await computeVectors()).to.deep.equal(vectors);
  });

  it("follow from the spec alone: id, voucher digests, claim leaf, claims hash; signatures recover", () => {
    const s = fromSpec(vectors);
    expect(s.id).to.equal(vectors.id);
    expect(s.digests).to.deep.equal(vectors.vouchers.map((x) => x.digest));
    expect(s.leaf).to.equal(vectors.leaf);
    expect(s.claimsHash).to.equal(vectors.claimsHash);
    expect(ethers.recoverAddress(vectors.id, vectors.bankSignature)).to.equal(vectors.cert.bank);
    for (const x of vectors.vouchers)
      expect(ethers.recoverAddress(x.digest, x.signature)).to.equal(vectors.cert.device);
  });

  it("are what the vault computes in its domain (the same inputs, its chain id and address)", async () => {
    const f = await loadFixture(vaultFixture);
    const here = (await computeVectors(f.vaultAddress as `0x${string}`, Number(f.domain.chainId))) as V;
    // The vectors' wallet, bank and payee are not members here: anchor the same terms for the
    // fixture's payer at its bank and compare the ids and digests the vault emits with the SDK's.
    const device = new ethers.Wallet(vectors.deviceKey);
    const cert = {
      ...here.cert,
      wallet: f.payer1.address,
      bank: f.bankA.address,
      expiry: BigInt(await time.latest()) + 86_400n,
    };
    const r = await (
      await f.vault.connect(f.payer1).anchorAllowance(cert, await signCert(f, f.bankA, cert), "0x")
    ).wait();
    const anchoredId = f.vault.interface.parseLog(r!.logs.find((l) => l.address === f.vaultAddress)!)!.args.allowanceId;
    expect(anchoredId).to.equal(certId(f, cert));
    const { allowanceIdOf, voucherDigestOf } = await import("../../../packages/sdk/src/offline");
    const domain = { chainId: Number(f.domain.chainId), vault: f.vaultAddress as `0x${string}` };
    const sdkCert = { ...cert, cap: BigInt(cert.cap), count: Number(cert.count), nonce: BigInt(cert.nonce) } as never;
    expect(allowanceIdOf(domain, sdkCert)).to.equal(anchoredId);
    const v = await voucher(f, device as never, anchoredId, cert, f.shop1.address, 12_500n, 1);
    const rr = await (await f.vault.redeem(v.v, v.sig)).wait();
    const redeemed = rr!.logs.map((l) => f.vault.interface.parseLog(l)).find((l) => l?.name === "VoucherRedeemed")!;
    expect(redeemed.args.voucherDigest).to.equal(
      voucherDigestOf(domain, { ...v.v, amount: 12_500n, serial: 1, expiry: BigInt(cert.expiry) } as never),
    );
  });
});
