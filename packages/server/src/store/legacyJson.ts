/**
 * The one-time import of the JSON outbox file of clearhouse ≤ 0.2 (`clearhouse.outbox/1`, decision
 * 015) into the delivery store: its cursor and its pending deliveries (delivered ones are history,
 * kept only as bodiless entries in that file), in one transaction; the file is then renamed
 * `<name>.migrated` so the next start does not look at it again.
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import { DeliveryStoreError } from "./errors";
import type { DeliveryStore, LegacySnapshot } from "./types";

/** An entry of the old file's `deliveries`. */
interface LegacyDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  body: string;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt?: number;
  lastError?: string;
}

interface LegacyFile {
  format: "clearhouse.outbox/1";
  cursor: string | null;
  deliveries: LegacyDelivery[];
}

/** Read an old outbox file into what `DeliveryStore.importLegacy` takes. */
export function readLegacyOutbox(path: string, knownSubscriptions: readonly string[]): LegacySnapshot {
  let file: LegacyFile;
  try {
    file = JSON.parse(readFileSync(path, "utf8")) as LegacyFile;
  } catch (e) {
    throw new DeliveryStoreError(
      `Cannot read the old outbox file ${path}.`,
      "Fix or move the file (it is imported once into the delivery store), then start again.",
      e,
    );
  }
  if (file.format !== "clearhouse.outbox/1" || !Array.isArray(file.deliveries))
    throw new DeliveryStoreError(
      `${path} is not a clearhouse.outbox/1 file.`,
      "Point `outbox` in the serve config at the old outbox file, or remove the key.",
    );
  const pending = file.deliveries.filter((d) => d.deliveredAt === undefined);
  const known = new Set(knownSubscriptions);
  return {
    cursor: file.cursor === null ? undefined : BigInt(file.cursor),
    unknownSubscriptions: [...new Set(pending.map((d) => d.webhookId).filter((id) => !known.has(id)))],
    deliveries: pending.map((d) => {
      // The body is the event as the API shows it (a PublicEvent): its block, log index and name.
      const e = JSON.parse(d.body) as { event: string; blockNumber: string; logIndex: number };
      return {
        id: d.id,
        subscriptionId: d.webhookId,
        event: { id: d.eventId, name: e.event, blockNumber: BigInt(e.blockNumber), logIndex: e.logIndex, body: d.body },
        attempts: d.attempts,
        nextAttemptAt: d.nextAttemptAt,
        lastError: d.lastError,
      };
    }),
  };
}

/**
 * If `path` exists, import it into `store` (when the store holds nothing yet) and rename it
 * `<path>.migrated`. Returns what happened, for the logs: no file, imported (how many pending
 * deliveries), imported by an earlier start (renamed now), or left in place because the store has
 * state of its own.
 */
export async function importLegacyOutbox(
  store: DeliveryStore,
  path: string,
  knownSubscriptions: readonly string[],
  now: number,
): Promise<{ result: "none" | "imported" | "already-imported" | "not-empty"; deliveries: number }> {
  if (!existsSync(path)) return { result: "none", deliveries: 0 };
  const snapshot = readLegacyOutbox(path, knownSubscriptions);
  const result = await store.importLegacy(snapshot, now);
  if (result === "not-empty") return { result, deliveries: 0 };
  // Imported now, or by an earlier start that stopped before this rename.
  renameSync(path, `${path}.migrated`);
  return { result, deliveries: result === "imported" ? snapshot.deliveries.length : 0 };
}
