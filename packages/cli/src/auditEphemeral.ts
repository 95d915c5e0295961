/**
 * `clearhouse audit ephemeral`: the ephemeral keys E of every chunk of a traced batch or cycle,
 * taken from the chain with the chunk proofs re-verified, written for the regulator's officials
 * (`clearhouse regulator partial --ephemeral-file`): k-of-n threshold decryption then works on the
 * proven chunks only (docs/spec/regulator-keys.md §6).
 */
import type { Command } from "commander";
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { pointToJson } from "@clearhouse/zk";
import { ExitCode, UsageError } from "./exit";
import type { CliIo, GlobalOptions } from "./options";
import { print, toJson } from "./output";
import { checkedTraced, unreadableLines } from "./auditTraced";

/** The `kind` of the file `audit ephemeral` writes. */
export const EPHEMERALS_KIND = "clearhouse.regulator-ephemerals";

export function addEphemeralCommand(audit: Command, io: CliIo, globals: () => GlobalOptions): void {
  audit
    .command("ephemeral")
    .description("the chunks' ephemeral keys of a traced batch or cycle, proofs re-verified, for k-of-n decryption")
    .argument("<target>", "a batch id (0x + 64 hex digits) or a cycle number")
    .requiredOption("--out <file>", "where to write the ephemeral keys (clearhouse.regulator-ephemerals)")
    .option("--epoch <n>", "only the batches encrypted to this epoch's key (needed when the target spans a rotation)")
    .addHelpText(
      "after",
      "\nEach official then runs `clearhouse regulator partial --ephemeral-file <file>` with their share;\n" +
        "`clearhouse regulator combine` turns k partial files into shared keys for `audit decrypt --shared-keys`.\n" +
        "\nExample:\n  clearhouse audit ephemeral 7 --out cycle-7.eph.json\n\n" +
        "Exit code 5 when a proof does not re-verify or a traced batch's calldata cannot be read (no file is written).",
    )
    .action(async (target: string, o: { out: string; epoch?: string }) => {
      const g = globals();
      if (o.epoch !== undefined && !/^[1-9]\d{0,9}$/.test(o.epoch))
        throw new UsageError(`--epoch "${o.epoch}" is not an epoch (a whole number from 1).`);
      const { checked, unreadable } = await checkedTraced(target, g, io);
      const failed = checked
        .filter((c) => !c.proofsVerified)
        .map((c) => `batch ${c.declaration.batchId}: proofs NOT VERIFIED`);
      if (failed.length > 0 || unreadable.length > 0)
        throw new UsageError(
          `Not written: ${[...failed, ...unreadableLines(unreadable)].join("; ")}.`,
          "Only proven chunks' ephemeral keys go to the officials; report the batch to the consortium's governance.",
          true,
          ExitCode.auditFailed,
        );
      const epochs = [...new Set(checked.map((c) => c.declaration.policy.epoch))].sort((a, b) => a - b);
      const epoch = o.epoch !== undefined ? Number(o.epoch) : epochs.length === 1 ? epochs[0] : undefined;
      if (epoch === undefined)
        throw new UsageError(
          `${target} holds batches of epochs ${epochs.join(", ")}: each epoch's officials decrypt their own.`,
          `Write one file per epoch with --epoch (e.g. --epoch ${epochs[0]}).`,
        );
      const chosen = checked.filter((c) => c.declaration.policy.epoch === epoch).map((c) => c.declaration);
      if (chosen.length === 0)
        throw new UsageError(`${target} has no traced batch of epoch ${epoch} (its epochs: ${epochs.join(", ")}).`);
      const key = chosen[0].policy.key!;
      const chunks = chosen.flatMap((d) =>
        d.chunks.map((c, chunk) => ({
          batchId: d.batchId,
          cycleId: d.cycleId.toString(),
          chunk,
          ephemeral: c.ephemeral,
        })),
      );
      const file = {
        kind: EPHEMERALS_KIND,
        version: 1,
        target,
        epoch,
        regulatorKey: pointToJson([key.x, key.y]),
        ephemeral: chunks.map((c) => pointToJson([c.ephemeral[0], c.ephemeral[1]])),
        chunks: chunks.map(({ batchId, cycleId, chunk }) => ({ batchId, cycleId, chunk })),
      };
      writeFileAtomic(o.out, toJson(file) + "\n");
      print(
        io,
        g,
        `${chunks.length} ephemeral key(s) of ${chosen.length} batch(es), epoch ${epoch}, proofs verified, in ${o.out}`,
        { epoch, batches: chosen.length, chunks: chunks.length, file: o.out },
      );
    });
}
