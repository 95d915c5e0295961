/**
 * `npm run bench:payments` — gas of ConditionalEscrow to create, attest and release agreements of
 * 1, 4 and 12 milestones (each released on a DELIVERED attestation), measured on the in-process
 * chain through the SDK, with two peers beside it:
 *   - measured in the same run: the simplest ERC-20 escrow (contracts/bench/PlainEscrowPeer.sol:
 *     deposit, payer releases) on a plain OpenZeppelin ERC-20, one deposit per milestone; and the
 *     settlement token's own transfer against the plain ERC-20's, which is the part of the
 *     difference that comes from the permissioned token (registry checks, limits), not the escrow;
 *   - published: Sablier v2 ≈ 169,000 gas to create a stream (the issue's anchor).
 */
import hre from "hardhat";
import { custom, keccak256, stringToHex } from "viem";
import { createClearhouse, type Clearhouse } from "../packages/sdk/src/client";
import { renderTable } from "../packages/sdk/src/format/table";
import { signAttestation, parseAgreement } from "../packages/sdk/src/payments";
import { leiWithCheckDigits } from "../packages/sdk/src/registry/identifiers";
import { Role } from "../packages/sdk/src/registry/roles";
import { UNLIMITED } from "../packages/sdk/src/validate";
import { deployConsortium } from "../scripts/lib/deployConsortium";
import { account, participant } from "../scripts/demo/participants";
import { writeResult } from "./results";

const SABLIER_CREATE_GAS = 169_000;
const SIZES = [1, 4, 12];
const OFFLINE_ATTESTOR = account(10);
const EVIDENCE = keccak256(stringToHex("delivery note"));
const mean = (xs: bigint[]) => Number(xs.reduce((a, b) => a + b, 0n)) / xs.length;
const fmt = (n: number) => Math.round(n).toLocaleString("en");

async function main(): Promise<void> {
  // Benchmarks issue more than a day's default ceiling to set up: no ceiling in the way.
  const deployment = await deployConsortium({
    token: { name: "Bench Euro", symbol: "bEUR", decimals: 2, dailyIssuanceCeiling: 10n ** 30n },
  });
  const transport = custom(hre.network.provider, { retryCount: 0 });
  const owner = createClearhouse({ transport, deployment, account: account(0), pollingInterval: 10 });
  const as = (key: string): Clearhouse => owner.as(account(participant(key).index));
  for (const key of ["operator", "alpine", "baltic", "celtic"]) {
    const p = participant(key);
    await owner.registry.admitMember({
      account: account(p.index).address,
      roles: key === "operator" ? Role.OPERATOR : Role.MEMBER_BANK,
      lei: leiWithCheckDigits(p.lei),
      name: p.name,
      maxSingleTransfer: UNLIMITED,
      maxDailyOutflow: UNLIMITED,
    });
  }
  // The offline attestor is screened by the escrow like an on-chain one: it must be a member.
  await owner.registry.admitMember({
    account: OFFLINE_ATTESTOR.address,
    roles: Role.CORPORATE,
    lei: leiWithCheckDigits("5493000BENCHATTES0"),
    name: "Bench attestor",
    maxSingleTransfer: 0n,
    maxDailyOutflow: 0n,
  });
  const payer = as("alpine");
  const payee = account(participant("baltic").index).address;
  const attestor = as("celtic");
  const escrow = deployment.contracts.ConditionalEscrow!.proxy;
  await as("operator").token.mint({ bank: account(participant("alpine").index).address, amount: 10n ** 12n });
  await payer.token.approve({ spender: escrow, amount: 2n ** 255n });

  const rows = [];
  for (const n of SIZES) {
    const block = await payer.context.publicClient.getBlock();
    const spec = parseAgreement(
      {
        format: "clearhouse.agreement/1",
        reference: `BENCH-${n}`,
        arbiter: account(participant("operator").index).address,
        attestors: [account(participant("celtic").index).address, OFFLINE_ATTESTOR.address],
        threshold: 1,
        milestones: Array.from({ length: n }, (_, i) => ({
          payee,
          amount: `${100 + i}.00`,
          deadline: "+30d",
          conditions: [{ attestation: "delivered" }],
        })),
      },
      "bench",
      { now: block.timestamp, decimals: 2 },
    );
    const created = await payer.payments.createAgreement({ spec });
    const id = created.agreementId;
    const attestOnChain: bigint[] = [];
    const attestSigned: bigint[] = [];
    const release: bigint[] = [];
    for (let i = 0; i < n; i++) {
      // Half the milestones attested on chain by a member attestor, half by an offline signature.
      if (i % 2 === 0) {
        attestOnChain.push(
          (await attestor.payments.attest({ agreementId: id, milestone: i, kind: "delivered", evidenceHash: EVIDENCE }))
            .gasUsed,
        );
      } else {
        const signed = await signAttestation(OFFLINE_ATTESTOR, {
          escrow,
          chainId: deployment.chainId,
          agreementId: id,
          milestone: i,
          kind: "delivered",
          evidenceHash: EVIDENCE,
        });
        attestSigned.push((await attestor.payments.submitAttestations({ attestations: [signed] })).gasUsed);
      }
      release.push((await attestor.payments.release({ agreementId: id, milestone: i })).gasUsed);
    }
    const all = [created.tx.gasUsed, ...attestOnChain, ...attestSigned, ...release].reduce((a, b) => a + b, 0n);
    rows.push({
      milestones: n,
      create: Number(created.tx.gasUsed),
      createPerMilestone: Number(created.tx.gasUsed) / n,
      attestOnChain: mean(attestOnChain),
      attestSigned: attestSigned.length ? mean(attestSigned) : undefined,
      release: mean(release),
      total: Number(all),
      perMilestone: Number(all) / n,
    });
    console.log(`  ${n} milestone(s): create ${fmt(Number(created.tx.gasUsed))} gas, total ${fmt(Number(all))}`);
  }

  // ---------------------------------------------------------------- peers, same run
  const { ethers } = hre;
  const [deployer] = await ethers.getSigners();
  const plainToken = await (await ethers.getContractFactory("PlainTokenPeer")).deploy();
  const plainEscrow = await (await ethers.getContractFactory("PlainEscrowPeer")).deploy();
  await (await plainToken.mint(deployer.address, 10n ** 12n)).wait();
  await (await plainToken.approve(await plainEscrow.getAddress(), 2n ** 255n)).wait();
  const gasOf = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
    Number((await (await tx).wait())!.gasUsed);
  // Warm the escrow's counter slot like ours is warm after the first agreement.
  await gasOf(plainEscrow.deposit(await plainToken.getAddress(), payee, 1));
  const peerDeposit = await gasOf(plainEscrow.deposit(await plainToken.getAddress(), payee, 10_000));
  const peerRelease = await gasOf(plainEscrow.release(2));
  const plainTransfer = await gasOf(plainToken.transfer(payee, 10_000));
  const ourTransfer = Number((await payer.token.transfer({ to: payee, amount: 10_000n })).gasUsed);

  console.log("\nConditionalEscrow, gas per transaction (each milestone: one DELIVERED attestation, threshold 1)\n");
  console.log(
    renderTable(rows, [
      { header: "milestones", value: (r) => String(r.milestones), align: "right" },
      { header: "create", value: (r) => fmt(r.create), align: "right" },
      { header: "create / milestone", value: (r) => fmt(r.createPerMilestone), align: "right" },
      { header: "attest (on chain)", value: (r) => fmt(r.attestOnChain), align: "right" },
      {
        header: "attest (signed, submitted)",
        value: (r) => (r.attestSigned === undefined ? "—" : fmt(r.attestSigned)),
        align: "right",
      },
      { header: "release", value: (r) => fmt(r.release), align: "right" },
      { header: "whole agreement", value: (r) => fmt(r.total), align: "right" },
      { header: "per milestone", value: (r) => fmt(r.perMilestone), align: "right" },
    ]),
  );
  const peers = [
    { what: "plain ERC-20 escrow (peer, same run): deposit", gas: peerDeposit },
    { what: "plain ERC-20 escrow (peer, same run): release", gas: peerRelease },
    { what: "plain ERC-20 escrow: deposit + release per payment", gas: peerDeposit + peerRelease },
    { what: "token transfer: plain OZ ERC-20 (same run)", gas: plainTransfer },
    { what: "token transfer: SettlementToken (registry checks, limits)", gas: ourTransfer },
    { what: "Sablier v2 create stream (published)", gas: SABLIER_CREATE_GAS },
  ];
  console.log("\nPeers\n");
  console.log(
    renderTable(peers, [
      { header: "what", value: (r) => r.what },
      { header: "gas", value: (r) => fmt(r.gas), align: "right" },
    ]),
  );
  const one = rows[0];
  console.log(
    `\nA one-milestone agreement (create + attest + release) costs ${fmt(one.total)} gas, ${(one.total / (peerDeposit + peerRelease)).toFixed(2)}× ` +
      `the plain escrow's deposit + release; the settlement token's transfer alone is ${(ourTransfer / plainTransfer).toFixed(2)}× a plain ERC-20's. ` +
      `Creating it costs ${(one.create / SABLIER_CREATE_GAS).toFixed(2)}× Sablier's published stream creation.`,
  );
  writeResult("payments", {
    benchmark: "payments",
    date: new Date().toISOString(),
    network: "hardhat cancun",
    condition:
      "one DELIVERED attestation per milestone, threshold 1; odd milestones attested by a signature submitted by another member",
    rows,
    peers: {
      plainEscrowDeposit: peerDeposit,
      plainEscrowRelease: peerRelease,
      plainTransfer,
      settlementTokenTransfer: ourTransfer,
      sablierCreatePublished: SABLIER_CREATE_GAS,
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
