/**
 * @clearhouse/server: the consortium's HTTP API (role-scoped API keys), the server-sent event
 * stream, signed webhooks with a durable outbox, and the auditor console. Node only.
 */
export { createServer, type ServerHandle } from "./api";
export {
  parseServeConfig,
  loadServeConfig,
  type ServeConfig,
  type ApiKey,
  type ApiRole,
  type WebhookConfig,
} from "./config";
export { EventFeed, publicEvent, involves, type PublicEvent } from "./feed";
export { Outbox, signWebhook, type Delivery } from "./outbox";
