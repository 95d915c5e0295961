/**
 * `clearhouse sm2 …`: SM2 keys of officials who sign through an SM2Signer contract (docs/crypto.md):
 * make a key file, show its public key (and check a deployed signer holds it), deploy a signer.
 * Signing is `gov sign … --sm2-key <file> --signer <SM2Signer>` and `pay attest … --out <file>
 * --sm2-key <file> --signer <SM2Signer>`.
 */
import { Command } from "commander";
import { getAddress, isAddress, type Address } from "viem";
import {
  generateSm2KeyPair,
  getSm2SignerKey,
  requireSm2Signer,
  sm2PublicKeyOf,
  type Sm2PublicKey,
} from "@clearhouse/sdk";
import { deploySm2Signer, readSm2KeyFile, writeSm2KeyFile } from "@clearhouse/sdk/node";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

/** `--signer`: the SM2Signer contract's address. */
export function signerOption(value: string | undefined, option = "--signer"): Address {
  if (value === undefined)
    throw new UsageError(
      `${option} is missing: an SM2 key signs for the SM2Signer contract that holds it.`,
      "Pass --signer <address of the SM2Signer> (`clearhouse sm2 deploy-signer` printed it).",
    );
  if (!isAddress(value)) throw new UsageError(`${option} ${value} is not an address.`);
  return getAddress(value);
}

/** The key file a command names: its own `--sm2-key`, or the program's `--key-file` flag (not settings). */
function keyFileOf(o: { sm2Key?: string }, cmd: Command): string {
  const root = cmd.parent?.parent;
  const flag = root?.getOptionValueSource("keyFile") === "cli" ? root.opts<GlobalOptions>().keyFile : undefined;
  if (o.sm2Key !== undefined && flag !== undefined)
    throw new UsageError("Both --sm2-key and --key-file name the SM2 key file.", "Pass one of them.");
  const path = o.sm2Key ?? flag;
  if (path === undefined) throw new UsageError("No SM2 key file.", "Pass --key-file <file> (or --sm2-key <file>).");
  return path;
}

const coordinates = (k: Sm2PublicKey) => ({
  px: `0x${k.uncompressed.slice(4, 68)}`,
  py: `0x${k.uncompressed.slice(68)}`,
});

export function sm2Command(io: CliIo, globals: () => GlobalOptions): Command {
  const sm2 = new Command("sm2").description(
    "SM2 officials: make an SM2 key file, show its public key, deploy the SM2Signer that signs for it",
  );

  sm2
    .command("keygen")
    .description("generate an SM2 (sm2p256v1) key pair into a new key file (mode 0600) and print its public key")
    .requiredOption("--out <file>", "the key file to write (never overwritten)")
    .addHelpText(
      "after",
      "\nThe file is JSON: format clearhouse.sm2-key/1, curve sm2p256v1, privateKey, publicKey (docs/crypto.md).\n" +
        "\nExample:\n  clearhouse sm2 keygen --out official.sm2.json",
    )
    .action((o: { out: string }) => {
      const g = globals();
      const key = generateSm2KeyPair();
      writeSm2KeyFile(o.out, key);
      const pub = key.publicKey.uncompressed;
      print(io, g, `public key ${pub}\nwrote      ${o.out}`, { file: o.out, publicKey: pub });
    });

  sm2
    .command("address")
    .description("print a key file's SM2 public key; with --signer, check that SM2Signer holds it")
    .option("--sm2-key <file>", "the SM2 key file (or the program's --key-file)")
    .option("--signer <address>", "an SM2Signer to check against the key (reads the chain)")
    .addHelpText(
      "after",
      "\nExamples:\n  clearhouse sm2 address --key-file official.sm2.json\n" +
        "  clearhouse sm2 address --key-file official.sm2.json --signer 0x5FbDB2315678afecb367f032d93F642f64180aa3",
    )
    .action(async (o: { sm2Key?: string; signer?: string }, cmd: Command) => {
      const g = globals();
      const key = readSm2KeyFile(keyFileOf(o, cmd));
      const pub = key.publicKey;
      const lines = [`public key ${pub.uncompressed}`, `  x ${coordinates(pub).px}`, `  y ${coordinates(pub).py}`];
      if (o.signer === undefined) return print(io, g, lines.join("\n"), { publicKey: pub.uncompressed });
      const signer = signerOption(o.signer);
      await requireSm2Signer(connect(g, io, false).context, signer, pub);
      lines.push(`signer     ${signer} holds this key`);
      print(io, g, lines.join("\n"), { publicKey: pub.uncompressed, signer });
    });

  sm2
    .command("deploy-signer")
    .description("deploy an SM2Signer (ERC-1271) for an SM2 public key, from your --key-file/--key account")
    .option("--sm2-key <file>", "the official's SM2 key file (only its public key is used)")
    .option("--public-key <hex>", "or the official's uncompressed public key, 04‖x‖y (no private key needed)")
    .addHelpText(
      "after",
      "\nThe signer has no owner and its key never changes; deploying again gives another address, so\n" +
        "record the one printed: it is what the multisig's signer list or an agreement's attestors name.\n" +
        "\nExamples:\n  clearhouse sm2 deploy-signer --sm2-key official.sm2.json --key-file operator.key\n" +
        "  clearhouse sm2 deploy-signer --public-key 04… --key-file operator.key",
    )
    .action(async (o: { sm2Key?: string; publicKey?: string }) => {
      const g = globals();
      if ((o.sm2Key === undefined) === (o.publicKey === undefined))
        throw new UsageError("Name the key once: --sm2-key <file> or --public-key <hex>.");
      const publicKey =
        o.sm2Key !== undefined ? readSm2KeyFile(o.sm2Key).publicKey : sm2PublicKeyOf(o.publicKey!, "--public-key");
      const ch = connect(g, io, true);
      const r = await deploySm2Signer(ch.context, { publicKey });
      const held = await getSm2SignerKey(ch.context, r.address);
      print(
        io,
        g,
        `SM2Signer ${r.address} (tx ${r.hash}, gas ${r.gasUsed})\n  public key ${held.uncompressed}\n  Next: add it as a multisig signer (gov propose --target multisig --function addSigner) or name it as an attestor.`,
        { ...r, publicKey: held.uncompressed },
      );
    });

  return sm2;
}
