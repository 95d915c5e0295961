/**
 * bench/multisig: gas of Clearhouse's ConsortiumMultisig against Safe 1.4.1 for the same call.
 *
 *   npx hardhat run bench/multisig.ts     (or: npm run bench)
 *
 * Both with N = 7 signers and threshold k = 1…7, executing the same settlement-token transfer.
 * Safe is compiled from the npm package with its own settings (solc 0.7.6, 200 runs) and deployed
 * through SafeProxyFactory with the compatibility fallback handler, as users deploy it. Each
 * measures its steady state: the second execution (the first pays once for the nonce slot and the
 * recipient's balance slot). Clearhouse is measured two ways:
 *   - "direct": a call whose timelock is zero executes in one transaction (Safe's semantics);
 *   - "timelocked": queue (threshold check) + execute after the delay — two transactions.
 * Prints a table and writes bench/results/multisig.json.
 */
import hre from "hardhat";
import { writeResult } from "./results";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { renderTable } from "../packages/sdk/src/format/table";
import { deployConsortium } from "../scripts/lib/deployConsortium";
import { Role } from "../packages/sdk/src/registry/roles";
import { UNLIMITED } from "../packages/sdk/src/validate";
import { multisigDomain, proposalTypes } from "../packages/sdk/src/governance/typedData";

const { ethers } = hre;
const N = 7;
const AMOUNT = 1_000n;
const ZERO = ethers.ZeroAddress;

const gasOf = async (tx: Promise<ContractTransactionResponse>): Promise<bigint> => (await (await tx).wait())!.gasUsed;

async function main(): Promise<void> {
  const signersAll = await ethers.getSigners();
  const [deployer, operator, recipient] = signersAll;
  const owners = signersAll.slice(3, 3 + N);
  // Benchmarks issue more than a day's default ceiling to set up: no ceiling in the way.
  const deployment = await deployConsortium({
    token: { name: "Bench Euro", symbol: "bEUR", decimals: 2, dailyIssuanceCeiling: 10n ** 30n },
  });
  const registry = await ethers.getContractAt("ConsortiumRegistry", deployment.contracts.ConsortiumRegistry.proxy);
  const token = await ethers.getContractAt("SettlementToken", deployment.contracts.SettlementToken.proxy);
  let leiSeed = 0;
  const admit = async (account: string, roles: number) =>
    registry.admitMember(account, roles, ethers.id(`LEI${leiSeed++}`), `member ${leiSeed}`, UNLIMITED, UNLIMITED);
  await admit(operator.address, Role.OPERATOR);
  await admit(recipient.address, Role.MEMBER_BANK);
  const transferData = token.interface.encodeFunctionData("transfer", [recipient.address, AMOUNT]);
  const tokenAddress = await token.getAddress();
  const { chainId } = await ethers.provider.getNetwork();

  // ------------------------------------------------------------------ Safe 1.4.1
  const singleton = await (await ethers.getContractFactory("Safe")).deploy();
  const factory = await (await ethers.getContractFactory("SafeProxyFactory")).deploy();
  const handler = await (await ethers.getContractFactory("CompatibilityFallbackHandler")).deploy();
  const sortedOwners = [...owners].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));

  async function safeRun(k: number): Promise<bigint> {
    const setup = singleton.interface.encodeFunctionData("setup", [
      sortedOwners.map((o) => o.address),
      k,
      ZERO,
      "0x",
      await handler.getAddress(),
      ZERO,
      0,
      ZERO,
    ]);
    const predicted = await factory.createProxyWithNonce.staticCall(await singleton.getAddress(), setup, k);
    await factory.createProxyWithNonce(await singleton.getAddress(), setup, k);
    const safe = await ethers.getContractAt("Safe", predicted);
    await admit(predicted, Role.MEMBER_BANK);
    await token.connect(operator).mint(predicted, 10n * AMOUNT);
    const exec = async () => {
      const nonce = await safe.nonce();
      const message = {
        to: tokenAddress,
        value: 0,
        data: transferData,
        operation: 0,
        safeTxGas: 0,
        baseGas: 0,
        gasPrice: 0,
        gasToken: ZERO,
        refundReceiver: ZERO,
        nonce,
      };
      const types = {
        SafeTx: [
          { name: "to", type: "address" },
          { name: "value", type: "uint256" },
          { name: "data", type: "bytes" },
          { name: "operation", type: "uint8" },
          { name: "safeTxGas", type: "uint256" },
          { name: "baseGas", type: "uint256" },
          { name: "gasPrice", type: "uint256" },
          { name: "gasToken", type: "address" },
          { name: "refundReceiver", type: "address" },
          { name: "nonce", type: "uint256" },
        ],
      };
      // Safe requires signatures sorted by owner address (GS026 otherwise).
      const sigs = await Promise.all(
        sortedOwners.slice(0, k).map((o) => o.signTypedData({ chainId, verifyingContract: predicted }, types, message)),
      );
      return gasOf(safe.execTransaction(tokenAddress, 0, transferData, 0, 0, 0, 0, ZERO, ZERO, ethers.concat(sigs)));
    };
    await exec();
    return exec();
  }

  // ------------------------------------------------------------------ Clearhouse

  async function clearhouseRun(k: number, delay: number): Promise<{ queue: bigint; execute: bigint }> {
    const multisig = await (
      await ethers.getContractFactory("ConsortiumMultisig")
    ).deploy(
      owners.map((o) => o.address),
      k,
      delay,
      delay,
      ZERO,
      [],
    );
    const address = await multisig.getAddress();
    await admit(address, Role.MEMBER_BANK);
    await token.connect(operator).mint(address, 10n * AMOUNT);
    const domain = multisigDomain(Number(chainId), address as `0x${string}`);
    const exec = async () => {
      const block = await ethers.provider.getBlock("latest");
      const proposal = {
        target: tokenAddress,
        value: 0n,
        data: transferData,
        lane: 0n,
        nonce: await multisig.nonceOf(0),
        notBefore: 0n,
        expiry: BigInt(block!.timestamp) + 86_400n * 7n,
      };
      // Any order is accepted: sign with the last k owners, concatenated in reverse.
      const signing: HardhatEthersSigner[] = owners.slice(N - k).reverse();
      const sigs = ethers.concat(
        await Promise.all(
          signing.map((o) => o.signTypedData(domain, { Proposal: [...proposalTypes.Proposal] }, proposal)),
        ),
      );
      if (delay === 0) return { queue: 0n, execute: await gasOf(multisig.execute(proposal, sigs)) };
      const queue = await gasOf(multisig.queue(proposal, sigs));
      await hre.network.provider.send("evm_increaseTime", [delay]);
      return { queue, execute: await gasOf(multisig.execute(proposal, "0x")) };
    };
    await exec();
    return exec();
  }

  const rows: {
    k: number;
    safe: bigint;
    direct: bigint;
    queue: bigint;
    execute: bigint;
  }[] = [];
  for (let k = 1; k <= N; k++) {
    const safe = await safeRun(k);
    const direct = (await clearhouseRun(k, 0)).execute;
    const timelocked = await clearhouseRun(k, 3600);
    rows.push({ k, safe, direct, queue: timelocked.queue, execute: timelocked.execute });
    process.stdout.write(`  k=${k} measured\r`);
  }
  const fmt = (v: bigint) => v.toLocaleString("en");
  const marginal = (pick: (r: (typeof rows)[number]) => bigint, i: number) =>
    i === 0 ? "–" : fmt(pick(rows[i]) - pick(rows[i - 1]));
  console.log(`\nMultisig gas, N = ${N} signers, k-of-${N}, executing a settlement-token transfer (steady state)\n`);
  console.log(
    renderTable(
      rows.map((r, i) => ({ r, i })),
      [
        { header: "k", value: ({ r }) => String(r.k), align: "right" },
        { header: "Safe 1.4.1", value: ({ r }) => fmt(r.safe), align: "right" },
        { header: "Clearhouse direct", value: ({ r }) => fmt(r.direct), align: "right" },
        { header: "ratio", value: ({ r }) => (Number(r.direct) / Number(r.safe)).toFixed(3), align: "right" },
        { header: "Safe +sig", value: ({ i }) => marginal((r) => r.safe, i), align: "right" },
        { header: "Clearhouse +sig", value: ({ i }) => marginal((r) => r.direct, i), align: "right" },
        { header: "timelocked queue+execute", value: ({ r }) => `${fmt(r.queue)} + ${fmt(r.execute)}`, align: "right" },
        {
          header: "ratio",
          value: ({ r }) => (Number(r.queue + r.execute) / Number(r.safe)).toFixed(3),
          align: "right",
        },
      ],
    ),
  );
  const worst = Math.max(...rows.map((r) => Number(r.direct) / Number(r.safe)));
  const verdict = worst <= 1 ? "met" : "NOT met";
  console.log(`\nTarget (direct ≤ Safe at every k): ${verdict}; worst ratio ${worst.toFixed(3)}.`);
  writeResult("multisig", {
    benchmark: "multisig",
    date: new Date().toISOString(),
    signers: N,
    call: "SettlementToken.transfer",
    rows: rows.map((r) => ({
      k: r.k,
      safe: Number(r.safe),
      clearhouseDirect: Number(r.direct),
      clearhouseQueue: Number(r.queue),
      clearhouseExecute: Number(r.execute),
      ratioDirect: Number(r.direct) / Number(r.safe),
      ratioTimelocked: Number(r.queue + r.execute) / Number(r.safe),
    })),
    target: { rule: "direct <= safe at every k", met: worst <= 1, worstRatio: worst },
  });
  if (deployer === undefined) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
