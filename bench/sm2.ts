/**
 * `npm run bench:sm2` — gas of the national algorithms on chain (SM2 verification, SM3) beside the
 * international ones measured in the same run: ECDSA/secp256k1 through OpenZeppelin's
 * `ECDSA.recover` (the ecrecover precompile), keccak256 for the same inputs as SM3, and the
 * EIP-7951 P-256 precompile at 0x100 where the chain has it (probed on this network's hardfork and
 * on an in-process Osaka network). Target (issue 24): ≤ 400,000 gas per SM2 verification.
 *
 * Library figures are measured inside a harness with `gasleft()` around the call (the pure cost of
 * the check); the ERC-1271 rows are the execution gas of an `isValidSignature` call (estimateGas
 * minus the 21,000 + calldata intrinsic cost). Prints a table and writes bench/results/sm2.json.
 */
import hre from "hardhat";
import { createHash, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { createProvider } from "hardhat/internal/core/providers/construction";
import { renderTable } from "../packages/sdk/src/format/table";
import { encodeSignature, sm2Digest, sm2Key, sm2Sign } from "../test/contracts/crypto/helpers";
import { writeResult } from "./results";

const { ethers } = hre;
const TARGET_VERIFY = 400_000;
const SAMPLES = 9;
const SM3_SIZES = [32, 64, 1024];

interface Row {
  check: string;
  algorithm: string;
  gas: number | null;
  /** The international peer's row, for the ratio. */
  peer?: string;
  note?: string;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The intrinsic gas of a call with `data` (21,000 + 4 per zero byte + 16 per other byte). */
function intrinsic(data: string): number {
  let gas = 21_000;
  for (const byte of ethers.getBytes(data)) gas += byte === 0 ? 4 : 16;
  return gas;
}

/** A P-256 signature from Node's crypto, as the EIP-7951 input h ‖ r ‖ s ‖ qx ‖ qy. */
function p256Input(): string {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const message = Buffer.from("clearhouse bench");
  const signature = nodeSign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
  const jwk = publicKey.export({ format: "jwk" });
  const coordinate = (b64: string | undefined) => ethers.hexlify(Buffer.from(b64 ?? "", "base64url"));
  return ethers.concat([
    createHash("sha256").update(message).digest(),
    signature,
    coordinate(jwk.x),
    coordinate(jwk.y),
  ]);
}

/**
 * Whether the precompile at 0x100 answers 1 for a valid input on a network of `hardfork`, and the
 * execution gas of a call to it (estimateGas minus the intrinsic cost) when it does.
 */
async function probeP256(hardfork: string, input: string): Promise<{ present: boolean; gas: number | null }> {
  const config = {
    ...hre.config,
    networks: { ...hre.config.networks, hardhat: { ...hre.config.networks.hardhat, hardfork } },
  };
  const provider = await createProvider(config, "hardhat");
  const call = { to: "0x0000000000000000000000000000000000000100", data: input };
  const out = (await provider.request({ method: "eth_call", params: [call, "latest"] })) as string;
  if (BigInt(out === "0x" ? 0 : out) !== 1n) return { present: false, gas: null };
  const estimate = (await provider.request({ method: "eth_estimateGas", params: [call] })) as string;
  return { present: true, gas: Number(BigInt(estimate)) - intrinsic(input) };
}

async function main(): Promise<void> {
  const [eoa] = await ethers.getSigners();
  const harness = await (await ethers.getContractFactory("SM2Harness")).deploy();
  const viaIr = await (await ethers.getContractFactory("SM2HarnessViaIR")).deploy();
  const peer = await (await ethers.getContractFactory("SignaturePeer")).deploy();
  const rows: Row[] = [];

  // ---------------------------------------------------------------- SM2 verification vs ECDSA
  const verifyGas: number[] = [];
  const viaIrGas: number[] = [];
  const signerGas: number[] = [];
  const recoverGas: number[] = [];
  const walletGas: number[] = [];
  const wallet = await (await ethers.getContractFactory("MockERC1271Signer")).deploy(eoa.address);
  for (let i = 0; i < SAMPLES; i++) {
    const key = sm2Key();
    const hash = ethers.hexlify(ethers.randomBytes(32));
    const { r, s } = sm2Sign(ethers.getBytes(hash), key);
    const [valid, used] = await harness.verifyGas(
      sm2Digest(ethers.getBytes(hash), key.publicKey),
      r,
      s,
      key.px,
      key.py,
    );
    if (!valid) throw new Error("SM2 verification refused a valid signature: the bench measures nothing");
    verifyGas.push(Number(used));
    const [viaIrValid, viaIrUsed] = await viaIr.verifyGas(
      sm2Digest(ethers.getBytes(hash), key.publicKey),
      r,
      s,
      key.px,
      key.py,
    );
    if (!viaIrValid) throw new Error("SM2 verification (IR pipeline) refused a valid signature");
    viaIrGas.push(Number(viaIrUsed));

    const signer = await (await ethers.getContractFactory("SM2Signer")).deploy(key.px, key.py);
    const sm2Call = signer.interface.encodeFunctionData("isValidSignature", [hash, encodeSignature({ r, s })]);
    signerGas.push(
      Number(await ethers.provider.estimateGas({ to: await signer.getAddress(), data: sm2Call })) - intrinsic(sm2Call),
    );

    const ecdsa = await eoa.signMessage(ethers.getBytes(hash));
    const digest = ethers.hashMessage(ethers.getBytes(hash));
    const [recovered, recoverUsed] = await peer.recoverGas(digest, ecdsa);
    if (recovered !== eoa.address) throw new Error("ECDSA.recover returned another address");
    recoverGas.push(Number(recoverUsed));
    const walletCall = wallet.interface.encodeFunctionData("isValidSignature", [digest, ecdsa]);
    walletGas.push(
      Number(await ethers.provider.estimateGas({ to: await wallet.getAddress(), data: walletCall })) -
        intrinsic(walletCall),
    );
  }
  rows.push({
    check: "signature verification (library)",
    algorithm: "ECDSA secp256k1 (ecrecover)",
    gas: median(recoverGas),
  });
  rows.push({
    check: "signature verification (library)",
    algorithm: "SM2 sm2p256v1",
    gas: median(verifyGas),
    peer: "ECDSA secp256k1 (ecrecover)",
    note: "repository default settings (as SM2Signer)",
  });
  rows.push({
    check: "signature verification (library)",
    algorithm: "SM2 sm2p256v1, via IR",
    gas: median(viaIrGas),
    peer: "ECDSA secp256k1 (ecrecover)",
    note: "the same harness compiled through the IR pipeline",
  });

  // ---------------------------------------------------------------- P-256 precompile (EIP-7951)
  const input = p256Input();
  const [output, p256Used] = await peer.p256Gas(input);
  const hardfork = hre.config.networks.hardhat.hardfork;
  const here = BigInt(output === "0x" ? 0 : output) === 1n;
  const osaka = await probeP256("osaka", input);
  rows.push({
    check: "signature verification (library)",
    algorithm: `P-256 precompile 0x100 (${hardfork})`,
    gas: here ? Number(p256Used) : null,
    note: here ? "present" : `absent on ${hardfork}, this repository's hardfork`,
  });
  rows.push({
    check: "signature verification (library)",
    algorithm: "P-256 precompile 0x100 (osaka)",
    gas: osaka.gas,
    note: osaka.present
      ? "present on an in-process Osaka network of the same EDR (call execution gas)"
      : "absent on Osaka too",
  });

  rows.push({
    check: "ERC-1271 isValidSignature (call)",
    algorithm: "ECDSA wallet (MockERC1271Signer)",
    gas: median(walletGas),
  });
  rows.push({
    check: "ERC-1271 isValidSignature (call)",
    algorithm: "SM2Signer (SM3 of Z_A ‖ hash + SM2)",
    gas: median(signerGas),
    peer: "ECDSA wallet (MockERC1271Signer)",
  });

  // ---------------------------------------------------------------- SM3 vs keccak256
  const sm3BySize = new Map<number, number>();
  for (const size of SM3_SIZES) {
    const data = ethers.randomBytes(size);
    const [, sm3Used] = await harness.hashGas(data);
    const [, keccakUsed] = await peer.keccakGas(data);
    sm3BySize.set(size, Number(sm3Used));
    const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
    rows.push({ check: `hash of ${label}`, algorithm: "keccak256", gas: Number(keccakUsed) });
    rows.push({ check: `hash of ${label}`, algorithm: "SM3", gas: Number(sm3Used), peer: "keccak256" });
  }
  // 32 bytes pad to one block, 1 KiB to seventeen: the difference is sixteen blocks.
  const perBlock = Math.round((sm3BySize.get(1024)! - sm3BySize.get(32)!) / 16);
  rows.push({ check: "hash, per 64-byte block", algorithm: "SM3", gas: perBlock });

  const fmt = (n: number | null) => (n === null ? "—" : n.toLocaleString("en"));
  const ratio = (r: Row): string => {
    if (!r.peer || r.gas === null) return "";
    const base = rows.find((p) => p.check === r.check && p.algorithm === r.peer);
    return base?.gas ? `${(r.gas / base.gas).toFixed(1)}×` : "";
  };
  console.log(
    "\n" +
      renderTable(rows, [
        { header: "check", value: (r) => r.check },
        { header: "algorithm", value: (r) => r.algorithm },
        { header: "gas", value: (r) => fmt(r.gas), align: "right" },
        { header: "÷ international peer", value: ratio, align: "right" },
        { header: "note", value: (r) => r.note ?? "" },
      ]),
  );
  const verify = median(verifyGas);
  const worst = Math.max(...verifyGas, ...viaIrGas);
  const met = worst <= TARGET_VERIFY;
  console.log(
    `\nSM2 verification: median of ${SAMPLES} random keys, range ${fmt(Math.min(...verifyGas))}–${fmt(Math.max(...verifyGas))} (via IR: ${fmt(Math.min(...viaIrGas))}–${fmt(Math.max(...viaIrGas))})`,
  );
  console.log(
    `target: ≤ ${fmt(TARGET_VERIFY)} gas per SM2 verification — ${met ? "met" : "NOT met"} (median ${fmt(verify)}, at most ${fmt(worst)} under either pipeline)`,
  );
  writeResult("sm2", {
    target: { verify: TARGET_VERIFY, met, measured: verify, worst },
    samples: SAMPLES,
    sm2Verify: { median: verify, min: Math.min(...verifyGas), max: Math.max(...verifyGas) },
    sm2VerifyViaIr: { median: median(viaIrGas), min: Math.min(...viaIrGas), max: Math.max(...viaIrGas) },
    sm3PerBlock: perBlock,
    p256Precompile: { hardfork, present: here, osaka },
    rows: rows.map((r) => ({ ...r, ratio: ratio(r) || undefined })),
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
