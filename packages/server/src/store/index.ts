/** Opening the delivery store a serve config names, with its subscriptions and the legacy import. */
import type { ServeConfig } from "../config";
import { importLegacyOutbox } from "./legacyJson";
import { SqliteDeliveryStore } from "./sqlite";
import type { DeliveryStore } from "./types";

export type * from "./types";
export { DeliveryStoreError } from "./errors";
export { SqliteDeliveryStore, type SqliteStoreOptions } from "./sqlite";
export { importLegacyOutbox, readLegacyOutbox } from "./legacyJson";

/**
 * Open the store of `config.store`, make its subscriptions the config's webhooks, and import the
 * old JSON outbox (`config.outbox`) if the store is new and the file exists (then renamed
 * `*.migrated`). `legacy` says what the import did.
 */
export async function openDeliveryStore(
  config: ServeConfig,
  now: number = Date.now(),
): Promise<{ store: DeliveryStore; legacy: Awaited<ReturnType<typeof importLegacyOutbox>> }> {
  const { path, synchronous, busyTimeoutMs } = config.store;
  const store = new SqliteDeliveryStore({ path, synchronous, busyTimeoutMs });
  try {
    await store.syncSubscriptions(
      config.webhooks.map((w) => ({
        id: w.id,
        url: w.url,
        events: w.events,
        maxAttempts: w.maxAttempts,
        maxAgeMs: w.maxAgeMs,
      })),
    );
    const legacy = await importLegacyOutbox(
      store,
      config.outbox,
      config.webhooks.map((w) => w.id),
      now,
    );
    return { store, legacy };
  } catch (e) {
    await store.close();
    throw e;
  }
}
