/**
 * `clearhouse offline`: double-offline payments (docs/offline.md). A bank issues a wallet's device
 * an allowance certificate; the device pays with vouchers and no network; a payee accepts them with
 * no network against a snapshot of the consortium; on reconnect the payee redeems them one by one,
 * or the payees' bank claims them in bulk. Every file is one of the SDK's JSON formats.
 */
import { Command } from "commander";
import { addBankCommands } from "./offlineBank";
import { addPayeeCommands } from "./offlinePayee";
import { addPayerCommands } from "./offlinePayer";
import type { CliIo, GlobalOptions } from "./options";

export function offlineCommand(io: CliIo, globals: () => GlobalOptions): Command {
  const offline = new Command("offline").description(
    "double-offline payments: allowance certificates, vouchers paid and accepted with no network, redemption",
  );
  addPayerCommands(offline, io, globals);
  addPayeeCommands(offline, io, globals);
  addBankCommands(offline, io, globals);
  return offline;
}
