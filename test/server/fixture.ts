/** A deployment with activity in every layer, and serve configurations for it. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAgreement } from "../../packages/sdk/src/payments";
import { parseServeConfig, type ServeConfig } from "../../packages/server/src/config";
import { settlementFixture, smallSampleBatch } from "../sdk/settlementFixture";

export const KEYS = {
  alpine: "alpine-key-0000000001",
  celtic: "celtic-key-0000000001",
  auditor: "auditor-key-000000001",
  regulator: "regulator-key-0000001",
};

export async function serverFixture() {
  const f = await settlementFixture();
  const batch = smallSampleBatch(f); // Alpine pays Baltic, Celtic, Danube
  await f.bank.alpine.settlement.submitBatch({ key: batch.key, header: batch.header });
  await f.bank.baltic.settlement.acknowledgeBatch({ batchId: batch.batchId });
  const block = await f.gov.context.publicClient.getBlock();
  const spec = parseAgreement(
    {
      format: "clearhouse.agreement/1",
      reference: "SERVE-1",
      arbiter: f.addr.celtic,
      milestones: [{ payee: f.addr.baltic, amount: "12.00", deadline: "+5d", conditions: [{ time: "+0s" }] }],
    },
    "serve",
    { now: block.timestamp, decimals: 2 },
  );
  const { agreementId } = await f.bank.danube.payments.createAgreement({ spec });
  return { ...f, batch, agreementId };
}

/** The SQLite file of a config whose store is SQLite (the default). */
export function sqlitePath(config: ServeConfig): string {
  if (config.store.kind !== "sqlite") throw new Error(`the store is ${config.store.kind}, not sqlite`);
  return config.store.path;
}

export function serveConfig(
  extra: Partial<ServeConfig> & { webhooks?: unknown[] } = {},
  addr?: Record<string, string>,
): ServeConfig {
  const dir = mkdtempSync(join(tmpdir(), "serve-"));
  return parseServeConfig({
    apiKeys: [
      {
        name: "alpine",
        key: KEYS.alpine,
        role: "member",
        account: addr?.alpine ?? "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      },
      {
        name: "celtic",
        key: KEYS.celtic,
        role: "member",
        account: addr?.celtic ?? "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
      },
      { name: "auditor", key: KEYS.auditor, role: "auditor" },
      { name: "regulator", key: KEYS.regulator, role: "regulator" },
    ],
    outbox: join(dir, "outbox.json"),
    pollSeconds: 1,
    retryBaseMs: 50,
    maxRetryMs: 400,
    ...extra,
  });
}
