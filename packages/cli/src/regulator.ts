/**
 * `clearhouse regulator`: the regulator's key per epoch, split k-of-n among officials, and the
 * threshold decryption of a batch's chunk keys (docs/spec/regulator-keys.md). No network: files in,
 * files out; secrets written with mode 0600, never over an existing file unless --force.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import {
  combinePartialFiles,
  generateRegulatorKey,
  partialDecryptBatch,
  pointToJson,
  readEphemeralsFile,
  readPartialFile,
  readRegulatorKeyFile,
  readRegulatorShareFile,
  readThresholdPublicFile,
  splitRegulatorKey,
  writePartialFile,
  writeRegulatorKeyFile,
  writeRegulatorPublicKeyFile,
  writeRegulatorShareFile,
  writeSharedKeysFile,
  writeThresholdPublicFile,
} from "@clearhouse/zk";
import { UsageError } from "./exit";
import type { CliIo, GlobalOptions } from "./options";
import { print } from "./output";

/** Refuse to write over `paths` that exist, unless --force: a lost key cannot be made again. */
function refuseOverwrite(paths: readonly string[], force: boolean | undefined): void {
  if (force) return;
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length)
    throw new UsageError(
      `${existing.join(", ")} exist${existing.length === 1 ? "s" : ""}: not overwritten.`,
      "Choose another output, or pass --force if the old file is no longer needed (a replaced key or share cannot be recovered).",
    );
}

function wholeNumber(option: string, value: string, min: number, max: number): number {
  if (!/^\d{1,16}$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`${option} "${value}" is not a whole number from ${min} to ${max}.`);
  return Number(value);
}

export function regulatorCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const regulator = new Command("regulator").description(
    "regulator keys: a key per epoch, split k-of-n among officials, threshold decryption of chunk keys",
  );
  regulator
    .command("keygen")
    .description("make the regulator's BabyJubjub key for an epoch (secret file mode 0600); no network")
    .requiredOption("--epoch <n>", "the epoch the key is for (a whole number)")
    .requiredOption("--out <file>", "where to write the key (clearhouse.regulator-key)")
    .option("--public-out <file>", "also write the public key alone (clearhouse.regulator-public-key), for the banks")
    .option("--force", "overwrite existing files")
    .addHelpText(
      "after",
      "\nBanks encrypt each private chunk's traced payments to the public key (x, y).\n" +
        "\nExample:\n  clearhouse regulator keygen --epoch 1 --out regulator-1.key.json --public-out regulator-1.pub.json",
    )
    .action((o: { epoch: string; out: string; publicOut?: string; force?: boolean }) => {
      const epoch = wholeNumber("--epoch", o.epoch, 0, Number.MAX_SAFE_INTEGER);
      refuseOverwrite([o.out, ...(o.publicOut ? [o.publicOut] : [])], o.force);
      const key = generateRegulatorKey();
      writeRegulatorKeyFile(o.out, { epoch, ...key });
      if (o.publicOut) writeRegulatorPublicKeyFile(o.publicOut, { epoch, public: key.public });
      const pub = pointToJson(key.public);
      print(
        io,
        globals(),
        `regulator key of epoch ${epoch} in ${o.out} (mode 0600)${o.publicOut ? `, public key in ${o.publicOut}` : ""}\n` +
          `public key x ${pub.x}\n           y ${pub.y}`,
        { epoch, file: o.out, ...(o.publicOut ? { publicFile: o.publicOut } : {}), public: pub },
      );
    });
  regulator
    .command("split")
    .description(
      "split a regulator key k-of-n among officials: share-1.json … share-N.json (mode 0600) and commitments.json",
    )
    .requiredOption("--key <file>", "the regulator key (clearhouse.regulator-key)")
    .requiredOption("--threshold <k>", "how many officials must take part in a decryption (2..N)")
    .requiredOption("--officials <n>", "how many officials receive a share (2..255)")
    .requiredOption("--out-dir <dir>", "where to write the shares and the public commitments (created if missing)")
    .option("--force", "overwrite existing share files")
    .addHelpText(
      "after",
      "\nGive share-i.json to official i alone; commitments.json is public (combine reads it).\n" +
        "Then destroy or lock away the key file: any k shares decrypt without it.\n" +
        "\nExample:\n  clearhouse regulator split --key regulator-1.key.json --threshold 2 --officials 3 --out-dir shares-1",
    )
    .action((o: { key: string; threshold: string; officials: string; outDir: string; force?: boolean }) => {
      const n = wholeNumber("--officials", o.officials, 2, 255);
      const k = wholeNumber("--threshold", o.threshold, 2, n);
      const key = readRegulatorKeyFile(o.key);
      const shareFiles = Array.from({ length: n }, (_, i) => join(o.outDir, `share-${i + 1}.json`));
      const commitmentsFile = join(o.outDir, "commitments.json");
      refuseOverwrite([...shareFiles, commitmentsFile], o.force);
      mkdirSync(o.outDir, { recursive: true, mode: 0o700 });
      const split = splitRegulatorKey(key.secret, k, n);
      split.shares.forEach((s, i) => writeRegulatorShareFile(shareFiles[i], { ...s, epoch: key.epoch }));
      writeThresholdPublicFile(commitmentsFile, { ...split.public, epoch: key.epoch });
      print(
        io,
        globals(),
        `split the regulator key of epoch ${key.epoch} ${k}-of-${n}: ${shareFiles.join(", ")} (mode 0600), public commitments in ${commitmentsFile}`,
        { epoch: key.epoch, k, n, shares: shareFiles, commitments: commitmentsFile },
      );
    });
  regulator
    .command("partial")
    .description("an official's partial decryption of each ephemeral key of a batch, with DLEQ proofs")
    .requiredOption("--share <file>", "the official's share (clearhouse.regulator-share)")
    .requiredOption("--ephemeral-file <file>", 'the chunks\' ephemeral keys: { "ephemeral": [{ "x": …, "y": … }, …] }')
    .requiredOption("--out <file>", "where to write the partials (clearhouse.regulator-partial)")
    .option("--force", "overwrite an existing file")
    .addHelpText(
      "after",
      "\nThe partial file reveals nothing of the share; send it to whoever combines.\n" +
        "\nExample:\n  clearhouse regulator partial --share shares-1/share-1.json --ephemeral-file batch-7.eph.json --out partial-1.json",
    )
    .action((o: { share: string; ephemeralFile: string; out: string; force?: boolean }) => {
      refuseOverwrite([o.out], o.force);
      const share = readRegulatorShareFile(o.share);
      const partial = partialDecryptBatch(share, readEphemeralsFile(o.ephemeralFile));
      writePartialFile(o.out, partial);
      print(
        io,
        globals(),
        `official ${share.index}'s partial decryptions of ${partial.items.length} ephemeral key(s) (epoch ${share.epoch}) in ${o.out}`,
        { epoch: share.epoch, index: share.index, count: partial.items.length, file: o.out },
      );
    });
  regulator
    .command("combine")
    .description("combine k officials' partials into each chunk's shared key K = s·E (file mode 0600)")
    .requiredOption(
      "--share-commitments <file>",
      "the split's public commitments: commitments.json, or any official's share file",
    )
    .requiredOption("--partials <files...>", "the officials' partial files (at least k)")
    .requiredOption("--out <file>", "where to write the shared keys (clearhouse.regulator-shared-keys)")
    .option("--force", "overwrite an existing file")
    .addHelpText(
      "after",
      "\nEvery partial's proof is checked against its official's commitment; a forged one is refused, naming the official.\n" +
        "\nExample:\n  clearhouse regulator combine --share-commitments shares-1/commitments.json --partials partial-1.json partial-3.json --out batch-7.keys.json",
    )
    .action((o: { shareCommitments: string; partials: string[]; out: string; force?: boolean }) => {
      refuseOverwrite([o.out], o.force);
      const pub = readThresholdPublicFile(o.shareCommitments);
      const files = o.partials.map((path) => ({ path, partial: readPartialFile(path) }));
      const keys = combinePartialFiles(pub, files);
      writeSharedKeysFile(o.out, keys);
      const officials = files.map((f) => f.partial.index);
      print(
        io,
        globals(),
        `combined officials ${officials.join(", ")} (${pub.k}-of-${pub.n}, epoch ${pub.epoch}): ${keys.keys.length} shared key(s) in ${o.out} (mode 0600)`,
        { epoch: pub.epoch, officials, count: keys.keys.length, file: o.out },
      );
    });
  return regulator;
}
