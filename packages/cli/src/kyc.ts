/** `clearhouse kyc`: a bank's credential tree and customers' anonymous membership proofs. */
import { existsSync } from "node:fs";
import { Command } from "commander";
import { toHex } from "viem";
import { randomFieldElement, toField } from "@clearhouse/sdk/zk";
import {
  identityCommitment,
  kycInputs,
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
    "KYC credentials: a bank's credential tree and customers' membership proofs",
  );
  kyc
    .command("issue")
    .description(
      "enroll a customer in the bank's credential tree (creates a fresh credential unless --commitment is given)",
    )
    .requiredOption("--tree <file>", "the bank's credential tree (created if missing)")
    .option("--credential-out <file>", "write the new customer's credential (secret) here")
    .option("--commitment <hex>", "enroll an existing identity commitment instead")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse kyc issue --tree bank-a.kyc.json --credential-out alice.credential.json",
    )
    .action((o: { tree: string; credentialOut?: string; commitment?: string }) => {
      if (!o.commitment === !o.credentialOut)
        throw new UsageError("Give exactly one of --credential-out and --commitment.");
      const tree = existsSync(o.tree) ? readKycTree(o.tree) : new KycTree();
      let commitment: bigint;
      if (o.commitment) commitment = toField(o.commitment, "--commitment");
      else {
        if (existsSync(o.credentialOut!))
          throw new UsageError(`${o.credentialOut} exists: a credential is never overwritten.`);
        const secret = randomFieldElement();
        commitment = identityCommitment(secret);
        writeKycCredential(o.credentialOut!, { secret, commitment });
      }
      const index = tree.add(commitment);
      writeKycTree(o.tree, tree);
      print(
        io,
        globals(),
        `enrolled ${toHex(commitment, { size: 32 })} at index ${index}; tree ${o.tree} has ${tree.size} members, root ${toHex(tree.root, { size: 32 })}`,
        { commitment: toHex(commitment, { size: 32 }), index, size: tree.size, root: toHex(tree.root, { size: 32 }) },
      );
    });
  kyc
    .command("prove")
    .description("prove membership of a bank's KYC tree without saying which member, for one scope and message")
    .requiredOption("--tree <file>", "the bank's credential tree")
    .requiredOption("--credential <file>", "the customer's credential")
    .requiredOption("--scope <value>", "what the nullifier is unique for (a number, 0x-hex, or text hashed to a field)")
    .requiredOption("--message <value>", "what the proof is bound to, e.g. an escrow agreement id")
    .requiredOption("--out <file>", "where to write the proof")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse kyc prove --tree bank-a.kyc.json --credential alice.credential.json --scope escrow-42 --message 0x2a --out alice.proof.json",
    )
    .action(async (o: { tree: string; credential: string; scope: string; message: string; out: string }) => {
      const tree = readKycTree(o.tree);
      const credential = readKycCredential(o.credential);
      const inputs = kycInputs({
        secret: credential.secret,
        path: tree.path(credential.commitment),
        scope: fieldFromText("--scope", o.scope),
        message: fieldFromText("--message", o.message),
      });
      await proveAndWrite(io, globals(), "kyc_membership", inputs, o.out);
    });
  return kyc;
}
