/** `clearhouse kyc`: a bank's credential tree and customers' anonymous membership and tier proofs. */
import { existsSync } from "node:fs";
import { Command } from "commander";
import { toHex } from "viem";
import { kycTier, toField } from "@clearhouse/sdk/zk";
import {
  issueKycCredential,
  kycInputs,
  kycTierInputs,
  KycTree,
  readKycCredential,
  readKycTree,
  writeKycCredential,
  writeKycTree,
} from "@clearhouse/zk";
import { UsageError } from "./exit";
import type { CliIo, GlobalOptions } from "./options";
import { print } from "./output";
import { fieldFromText, proveAndWrite } from "./zk";

export function kycCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const kyc = new Command("kyc").description(
    "KYC credentials: a bank's credential tree and customers' membership and tier proofs",
  );
  kyc
    .command("issue")
    .description(
      "enroll a customer in the bank's credential tree (creates a fresh credential unless --commitment is given)",
    )
    .requiredOption("--tree <file>", "the bank's credential tree (created if missing)")
    .option("--credential-out <file>", "write the new customer's credential (secret) here")
    .option(
      "--tier <n>",
      "KYC tier of the new credential, 1–255 (higher = better identified: 1 phone-only wallet, 2 ID + bank account); proven with kyc_tier",
    )
    .option("--commitment <hex>", "enroll an existing identity commitment instead")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse kyc issue --tree bank-a.kyc.json --credential-out alice.credential.json\n" +
        "  clearhouse kyc issue --tree bank-a.kyc.json --credential-out bob.credential.json --tier 2",
    )
    .action((o: { tree: string; credentialOut?: string; commitment?: string; tier?: string }) => {
      if (!o.commitment === !o.credentialOut)
        throw new UsageError("Give exactly one of --credential-out and --commitment.");
      if (o.commitment && o.tier !== undefined)
        throw new UsageError("--tier goes with --credential-out: a commitment already holds its tier.");
      const tier = o.tier === undefined ? undefined : kycTier(o.tier, "--tier");
      const tree = existsSync(o.tree) ? readKycTree(o.tree) : new KycTree();
      let commitment: bigint;
      if (o.commitment) commitment = toField(o.commitment, "--commitment");
      else {
        if (existsSync(o.credentialOut!))
          throw new UsageError(`${o.credentialOut} exists: a credential is never overwritten.`);
        const credential = issueKycCredential(tier);
        commitment = credential.commitment;
        writeKycCredential(o.credentialOut!, credential);
      }
      const index = tree.add(commitment);
      writeKycTree(o.tree, tree);
      print(
        io,
        globals(),
        `enrolled ${toHex(commitment, { size: 32 })}${tier === undefined ? "" : ` (tier ${tier})`} at index ${index}; tree ${o.tree} has ${tree.size} members, root ${toHex(tree.root, { size: 32 })}`,
        {
          commitment: toHex(commitment, { size: 32 }),
          ...(tier === undefined ? {} : { tier }),
          index,
          size: tree.size,
          root: toHex(tree.root, { size: 32 }),
        },
      );
    });
  kyc
    .command("prove")
    .description(
      "prove membership of a bank's KYC tree without saying which member, for one scope and message; " +
        "a tier credential proves tier ≥ --min-tier (kyc_tier) without saying which tier",
    )
    .requiredOption("--tree <file>", "the bank's credential tree")
    .requiredOption("--credential <file>", "the customer's credential")
    .requiredOption("--scope <value>", "what the nullifier is unique for (a number, 0x-hex, or text hashed to a field)")
    .requiredOption("--message <value>", "what the proof is bound to, e.g. an escrow agreement id")
    .option("--min-tier <k>", "the tier to prove (1–255); required for, and only for, a tier credential")
    .requiredOption("--out <file>", "where to write the proof")
    .addHelpText(
      "after",
      "\nThe credential decides the circuit: one without a tier proves kyc_membership, one with a tier\n" +
        "(issued with --tier) proves kyc_tier, refused before proving if its tier is below --min-tier.\n" +
        "\nExample:\n  clearhouse kyc prove --tree bank-a.kyc.json --credential alice.credential.json --scope escrow-42 --message 0x2a --out alice.proof.json\n" +
        "  clearhouse kyc prove --tree bank-a.kyc.json --credential bob.credential.json --min-tier 2 --scope escrow-42 --message 0x2a --out bob.proof.json",
    )
    .action(
      async (o: {
        tree: string;
        credential: string;
        scope: string;
        message: string;
        out: string;
        minTier?: string;
      }) => {
        const tree = readKycTree(o.tree);
        const credential = readKycCredential(o.credential);
        const scope = fieldFromText("--scope", o.scope);
        const message = fieldFromText("--message", o.message);
        const path = tree.path(credential.commitment);
        if (credential.tier === undefined) {
          if (o.minTier !== undefined)
            throw new UsageError(
              `${o.credential} has no KYC tier (a membership credential): drop --min-tier, or ask the bank for a tier credential.`,
            );
          const inputs = kycInputs({ secret: credential.secret, path, scope, message });
          await proveAndWrite(io, globals(), "kyc_membership", inputs, o.out);
          return;
        }
        if (o.minTier === undefined)
          throw new UsageError(`${o.credential} is a tier credential: give --min-tier, the tier to prove (1–255).`);
        const inputs = kycTierInputs({
          secret: credential.secret,
          tier: credential.tier,
          path,
          scope,
          message,
          minTier: kycTier(o.minTier, "--min-tier"),
        });
        await proveAndWrite(io, globals(), "kyc_tier", inputs, o.out);
      },
    );
  return kyc;
}
