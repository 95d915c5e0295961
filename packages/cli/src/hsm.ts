/** `clearhouse hsm …`: secp256k1 keys held in an HSM (PKCS#11), created in the token and used by `--key`. */
import { Command } from "commander";
import { generatePkcs11AesKey, generatePkcs11Key } from "@clearhouse/sdk/node";
import { UsageError } from "./exit";
import { loadKey, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";
import { pinFor } from "./signer";

export function hsmCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const hsm = new Command("hsm").description(
    "keys in an HSM (PKCS#11): generate a secp256k1 key or an AES-256 encryption key in a token, show a key's address",
  );

  hsm
    .command("keygen")
    .description("generate a secp256k1 key pair inside a token (sensitive, not extractable) and print its address")
    .requiredOption("--token <label>", "the token's label")
    .requiredOption("--label <object>", "the new key's label (CKA_LABEL)")
    .addHelpText(
      "after",
      "\nThe PIN comes from CLEARHOUSE_PKCS11_PIN or a prompt; the module from CLEARHOUSE_PKCS11_MODULE\n" +
        "(default /usr/lib/softhsm/libsofthsm2.so). Sign with the printed URI: --key 'pkcs11:token=…;object=…'.\n" +
        "\nExample:\n  CLEARHOUSE_PKCS11_PIN=… clearhouse hsm keygen --token bank-a --label settlement-1",
    )
    .action((o: { token: string; label: string }) => {
      const g = globals();
      if (o.label.trim() === "") throw new UsageError("--label is empty.");
      const key = generatePkcs11Key({
        token: o.token,
        label: o.label,
        pin: pinFor(o.token, io.env, io.promptSecret),
        module: io.env.CLEARHOUSE_PKCS11_MODULE || undefined,
      });
      print(io, g, [`address  ${key.address}`, `key      ${key.uri}`, `id       ${key.id}`].join("\n"), key);
    });

  hsm
    .command("aes-keygen")
    .description("generate an AES-256 key inside a token (sensitive, not extractable) for --encrypt-key")
    .requiredOption("--token <label>", "the token's label")
    .requiredOption("--label <object>", "the new key's label (CKA_LABEL)")
    .addHelpText(
      "after",
      "\nSeals batch files (--encrypt-key <uri>) and webhook payloads (encryptKey) with AES-256-GCM inside the\n" +
        "token (CKM_AES_GCM); docs/spec/encrypted-envelope.md. PIN and module as for `hsm keygen`.\n" +
        "\nExample:\n  CLEARHOUSE_PKCS11_PIN=… clearhouse hsm aes-keygen --token bank-a --label batch-files",
    )
    .action((o: { token: string; label: string }) => {
      const g = globals();
      if (o.label.trim() === "") throw new UsageError("--label is empty.");
      const uri = generatePkcs11AesKey({
        token: o.token,
        label: o.label,
        pin: pinFor(o.token, io.env, io.promptSecret),
        module: io.env.CLEARHOUSE_PKCS11_MODULE || undefined,
      });
      print(io, g, `key      ${uri}`, { uri, algorithm: "AES-256-GCM" });
    });

  hsm
    .command("address")
    .description("the address of the key --key names (checks the token, the PIN and the curve; signs nothing)")
    .addHelpText("after", "\nExample:\n  clearhouse hsm address --key 'pkcs11:token=bank-a;object=settlement-1'")
    .action(() => {
      const g = globals();
      if (g.key === undefined)
        throw new UsageError("No key to show.", "Pass --key pkcs11:token=<label>;object=<label>.");
      const account = loadKey(g, io);
      print(io, g, account.address, { address: account.address, key: g.key });
    });
  return hsm;
}
