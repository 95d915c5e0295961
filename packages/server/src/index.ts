/**
 * @clearhouse/server: the consortium's HTTP API (role-scoped API keys), the server-sent event
 * stream, signed webhooks (Standard Webhooks) from a durable outbox in a delivery store (SQLite, or PostgreSQL shared by several servers) with
 * bounded retries and a dead-letter queue, and the auditor console. Node only.
 */
export { createServer, type ServerHandle } from "./api";
export {
  parseServeConfig,
  loadServeConfig,
  type ServeConfig,
  type ApiKey,
  type ApiRole,
  type WebhookConfig,
  type StoreConfig,
  type SqliteStoreConfig,
  type PostgresStoreConfig,
  type RegulatorKeysConfig,
} from "./config";
export { loadRegulatorKeys, NO_REGULATOR_KEY } from "./regulatorRoutes";
export { EventFeed, publicEvent, involves, type PublicEvent } from "./feed";
export {
  openDeliveryStore,
  SqliteDeliveryStore,
  PostgresDeliveryStore,
  DeliveryStoreError,
  importLegacyOutbox,
  readLegacyOutbox,
  type DeliveryStore,
  type DeliveryRecord,
  type ClaimedDelivery,
  type DeliveryStatus,
  type DeliveryPage,
  type DeliveryQuery,
  type StoredSubscription,
  type OutboxEvent,
  type AppendRequest,
  type AttemptOutcome,
  type LegacySnapshot,
} from "./store";
export { signWebhook, signStandardWebhook, signingKey, standardSecret, isStandardSecret } from "./webhooks/sign";
export { retryDelay, afterFailure } from "./webhooks/retry";
export { DeliveryWorker } from "./webhooks/worker";
