/** Opening the delivery store a serve config names (SQLite or PostgreSQL), with its subscriptions and the legacy import. */
import type { ServeConfig } from "../config";
import { importLegacyOutbox } from "./legacyJson";
import { PostgresDeliveryStore } from "./postgres";
import { SqliteDeliveryStore } from "./sqlite";
import type { DeliveryStore } from "./types";

export type * from "./types";
export { DeliveryStoreError } from "./errors";
export { SqliteDeliveryStore, type SqliteStoreOptions } from "./sqlite";
export { PostgresDeliveryStore, type PostgresStoreOptions } from "./postgres";
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
  const s = config.store;
  const store: DeliveryStore =
    s.kind === "postgres"
      ? await PostgresDeliveryStore.open({ url: s.url, poolSize: s.poolSize, connectTimeoutMs: s.connectTimeoutMs })
      : new SqliteDeliveryStore({ path: s.path, synchronous: s.synchronous, busyTimeoutMs: s.busyTimeoutMs });
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
