/**
 * `clearhouse serve` configuration (YAML or JSON): API keys with their role, webhooks, the
 * delivery store and the retry policy (docs/server.md, "Webhooks").
 *
 *   apiKeys:
 *     - { name: alpine-ops, key: "…", role: member, account: "0x…" }   # sees its own batches/agreements
 *     - { name: auditor, key: "…", role: auditor }                      # sees everything
 *     - { name: supervisor, key: "…", role: regulator }
 *   webhooks:
 *     - { id: core-banking, url: "https://…/hooks/clearhouse", secret: "whsec_…", events: [BatchSubmitted], maxAttempts: 20 }
 *   store: { path: .clearhouse/delivery.sqlite, synchronous: normal, busyTimeoutMs: 5000 }
 *   # or, for one or more servers sharing it:
 *   # store: { kind: postgres, url: "postgres://clearhouse:…@db:5432/clearhouse", poolSize: 5, connectTimeoutMs: 5000 }
 *   retryBaseMs: 1000            # backoff: random(0, min(maxRetryMs, retryBaseMs · 2^(n−1))) after the n-th failure
 *   maxRetryMs: 300000
 *   maxAttempts: 15              # then the dead-letter queue (per webhook: maxAttempts, maxAgeMs, timeoutMs)
 *   maxAgeMs: 86400000
 *   timeoutMs: 15000
 *   deliveryConcurrency: 16
 *   keepDeliveredMs: 604800000   # delivered rows pruned after 7 days (pending and dead ones stay)
 *   outbox: .clearhouse/outbox.json   # the JSON outbox of clearhouse ≤ 0.2: imported once, then renamed *.migrated
 *   pollSeconds: 1
 *   confirmations: 0   # blocks the feed and the read index stay behind the head (0 on QBFT, final)
 *   responseCacheMB: 64   # read answers kept until the index changes; 0: no cache
 *   regulatorKeys:        # the regulator page (GET /api/regulator/traced) reads traced batches with these
 *     keyFiles: [keys/regulator-epoch-1.json]          # clearhouse regulator keygen (mode 0600)
 *     sharedKeysFiles: [keys/cycle-7.keys.json]       # clearhouse regulator combine (k-of-n)
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { getAddress, isAddress, type Address } from "viem";
import { parse as parseYaml } from "yaml";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";
import { isStandardSecret } from "./webhooks/sign";
import { webhookKey } from "./webhooks/encrypt";

/** `operator` (the scheme operator's staff), `auditor` and `regulator` see everything; a member its own. */
export type ApiRole = "member" | "operator" | "auditor" | "regulator";

export interface ApiKey {
  name: string;
  key: string;
  role: ApiRole;
  /** The member's address (role member only). */
  account?: Address;
}

export interface WebhookConfig {
  id: string;
  url: string;
  /**
   * The signing secret: `whsec_<base64>` (Standard Webhooks; the key is the decoded bytes) or, as
   * before, any string of 16+ characters (the key is its UTF-8 bytes).
   */
  secret: string;
  /** Event names to deliver; all when absent. */
  events?: string[];
  /** Dead-letter after this many failed attempts (default: the top-level `maxAttempts`). */
  maxAttempts: number;
  /** Dead-letter a delivery still failing this long after it was enqueued (default: `maxAgeMs`). */
  maxAgeMs: number;
  /** Per-request timeout in ms (default: `timeoutMs`). */
  timeoutMs: number;
  /**
   * Encrypt the payloads in transit (docs/spec/encrypted-envelope.md): a key file (32 bytes
   * AES-256-GCM, 16 bytes SM4-GCM) or a PKCS#11 URI of an AES-256 key; absent: plain JSON.
   */
  encryptKey?: string;
}

/** Where delivery state is kept: a SQLite file (the default; one server) or PostgreSQL (one or more servers). */
export type StoreConfig = SqliteStoreConfig | PostgresStoreConfig;

export interface SqliteStoreConfig {
  kind: "sqlite";
  path: string;
  /** SQLite `synchronous` with WAL: normal (default) or full (docs/server.md says which loses what). */
  synchronous: "normal" | "full";
  /** How long a write waits for a lock held by another connection before failing (ms). */
  busyTimeoutMs: number;
}

export interface PostgresStoreConfig {
  kind: "postgres";
  /** `postgres://user:password@host:port/database` (several servers may share it). */
  url: string;
  /** Connections each server keeps open. */
  poolSize: number;
  /** How long a call waits for a connection before failing (ms). */
  connectTimeoutMs: number;
}

export interface ServeConfig {
  apiKeys: ApiKey[];
  webhooks: WebhookConfig[];
  store: StoreConfig;
  /** The JSON outbox file of clearhouse ≤ 0.2: imported into a new store, then renamed `*.migrated`. */
  outbox: string;
  pollSeconds: number;
  /**
   * Blocks the feed (outbox and read index) stays behind the chain's head: 0 on QBFT, whose blocks
   * are final; on a chain that can reorganise, deeper than any reorganisation it expects.
   */
  confirmations: number;
  /** Backoff base in ms: the n-th failure waits random(0, min(maxRetryMs, retryBaseMs · 2^(n−1))). */
  retryBaseMs: number;
  /** Backoff cap in ms. */
  maxRetryMs: number;
  /** Defaults for the webhooks' own `maxAttempts`, `maxAgeMs`, `timeoutMs`. */
  maxAttempts: number;
  maxAgeMs: number;
  timeoutMs: number;
  /** Subscriptions delivered to at once (one request at a time per subscription, in event order). */
  deliveryConcurrency: number;
  /** Delivered rows are kept this long (ms), then pruned; pending ones and dead letters stay. */
  keepDeliveredMs: number;
  /** Size of the read routes' response cache in MB (answers kept until the index changes); 0 turns it off. */
  responseCacheMB: number;
  /**
   * The regulator's key files the regulator page reads traced batches with (paths, relative to the
   * working directory; read and checked when the server starts: `loadRegulatorKeys`). Absent: the
   * page lists the traced batches, none read.
   */
  regulatorKeys?: RegulatorKeysConfig;
}

/** Paths of the regulator's key files (`clearhouse regulator keygen`) and shared-keys files (`regulator combine`). */
export interface RegulatorKeysConfig {
  keyFiles: string[];
  sharedKeysFiles: string[];
}

export function parseServeConfig(doc: unknown, where = "serve config"): ServeConfig {
  const fail = (field: string, problem: string): never => {
    throw new InvalidArgumentError(`${where}: ${field}`, problem);
  };
  if (typeof doc !== "object" || doc === null) fail("(root)", "must be an object");
  const d = doc as Record<string, unknown>;
  const keys = Array.isArray(d.apiKeys) ? d.apiKeys : fail("apiKeys", "must be a list");
  const apiKeys = (keys as unknown[]).map((raw, i): ApiKey => {
    const k = (raw ?? {}) as Record<string, unknown>;
    if (typeof k.name !== "string" || !k.name) fail(`apiKeys[${i}].name`, "is missing");
    if (typeof k.key !== "string" || k.key.length < 16) fail(`apiKeys[${i}].key`, "must be at least 16 characters");
    if (k.role !== "member" && k.role !== "operator" && k.role !== "auditor" && k.role !== "regulator")
      fail(`apiKeys[${i}].role`, "must be member, operator, auditor or regulator");
    if (k.role === "member" && (typeof k.account !== "string" || !isAddress(k.account)))
      fail(`apiKeys[${i}].account`, "must be the member's address");
    return {
      name: k.name as string,
      key: k.key as string,
      role: k.role as ApiRole,
      account: k.role === "member" ? getAddress(k.account as string) : undefined,
    };
  });
  if (new Set(apiKeys.map((k) => k.key)).size !== apiKeys.length) fail("apiKeys", "has a duplicate key");
  const num = (field: string, fallback: number, value: unknown = d[field]) => {
    const v = value === undefined ? fallback : Number(value);
    return Number.isFinite(v) && v > 0 ? v : fail(field, "must be a positive number");
  };
  const count = (field: string, fallback: number, value: unknown = d[field]) => {
    const v = num(field, fallback, value);
    return Number.isInteger(v) ? v : fail(field, "must be a whole number");
  };
  /** A whole number of `unit`, 0 or more. */
  const whole = (field: string, fallback: number, unit: string) => {
    const v = d[field] === undefined ? fallback : d[field];
    return Number.isInteger(v) && (v as number) >= 0
      ? (v as number)
      : fail(field, `must be a whole number of ${unit}, 0 or more`);
  };
  const maxAttempts = count("maxAttempts", 15);
  const maxAgeMs = num("maxAgeMs", 86_400_000);
  const timeoutMs = num("timeoutMs", 15_000);
  const hooks =
    d.webhooks === undefined ? [] : Array.isArray(d.webhooks) ? d.webhooks : fail("webhooks", "must be a list");
  const webhooks = (hooks as unknown[]).map((raw, i): WebhookConfig => {
    const h = (raw ?? {}) as Record<string, unknown>;
    if (typeof h.id !== "string" || !/^[\w.-]+$/.test(h.id)) fail(`webhooks[${i}].id`, "must be a word");
    if (typeof h.url !== "string" || !/^https?:\/\//.test(h.url)) fail(`webhooks[${i}].url`, "must be an http(s) URL");
    if (typeof h.secret !== "string" || h.secret.length < 16)
      fail(`webhooks[${i}].secret`, "must be at least 16 characters");
    if ((h.secret as string).startsWith("whsec_") && !isStandardSecret(h.secret as string))
      fail(`webhooks[${i}].secret`, "starts with whsec_ but is not the base64 of 24 to 64 bytes");
    if (h.events !== undefined && (!Array.isArray(h.events) || !h.events.every((e) => typeof e === "string")))
      fail(`webhooks[${i}].events`, "must be a list of event names");
    if (h.encryptKey !== undefined && (typeof h.encryptKey !== "string" || h.encryptKey === ""))
      fail(`webhooks[${i}].encryptKey`, "must be a key file's path or a pkcs11: URI");
    if (typeof h.encryptKey === "string" && !/^pkcs11:/i.test(h.encryptKey)) {
      try {
        webhookKey(h.encryptKey); // a missing or malformed key file is refused at start, not at the first event
      } catch (e) {
        fail(`webhooks[${i}].encryptKey`, (e as Error).message.split("\n")[0]);
      }
    }
    return {
      id: h.id as string,
      url: h.url as string,
      secret: h.secret as string,
      events: h.events as string[] | undefined,
      maxAttempts: count(`webhooks[${i}].maxAttempts`, maxAttempts, h.maxAttempts),
      maxAgeMs: num(`webhooks[${i}].maxAgeMs`, maxAgeMs, h.maxAgeMs),
      timeoutMs: num(`webhooks[${i}].timeoutMs`, timeoutMs, h.timeoutMs),
      ...(typeof h.encryptKey === "string" ? { encryptKey: h.encryptKey } : {}),
    };
  });
  if (new Set(webhooks.map((w) => w.id)).size !== webhooks.length) fail("webhooks", "has a duplicate id");
  const outbox = typeof d.outbox === "string" ? d.outbox : ".clearhouse/outbox.json";
  const st = (d.store ?? {}) as Record<string, unknown>;
  if (typeof st !== "object") fail("store", "must be an object: { kind, path | url, … }");
  if (st.kind !== undefined && st.kind !== "sqlite" && st.kind !== "postgres")
    fail("store.kind", "must be sqlite (the default) or postgres");
  let store: StoreConfig;
  if (st.kind === "postgres") {
    if (typeof st.url !== "string" || !/^postgres(ql)?:\/\//.test(st.url))
      fail("store.url", "must be a postgres://user:password@host:port/database URL");
    store = {
      kind: "postgres",
      url: st.url as string,
      poolSize: count("store.poolSize", 5, st.poolSize),
      connectTimeoutMs: num("store.connectTimeoutMs", 5_000, st.connectTimeoutMs),
    };
  } else {
    if (st.path !== undefined && (typeof st.path !== "string" || !st.path)) fail("store.path", "must be a file path");
    if (st.synchronous !== undefined && st.synchronous !== "normal" && st.synchronous !== "full")
      fail("store.synchronous", "must be normal or full");
    store = {
      kind: "sqlite",
      // Beside the old outbox file by default, so a configuration written for ≤ 0.2 keeps its place.
      path: (st.path as string | undefined) ?? join(dirname(outbox), "delivery.sqlite"),
      synchronous: (st.synchronous as "normal" | "full" | undefined) ?? "normal",
      busyTimeoutMs: num("store.busyTimeoutMs", 5_000, st.busyTimeoutMs),
    };
  }
  let regulatorKeys: RegulatorKeysConfig | undefined;
  if (d.regulatorKeys !== undefined) {
    const r = d.regulatorKeys as Record<string, unknown>;
    if (typeof r !== "object" || r === null || Array.isArray(r))
      fail("regulatorKeys", "must be an object: { keyFiles: [paths], sharedKeysFiles: [paths] }");
    const paths = (field: "keyFiles" | "sharedKeysFiles"): string[] => {
      const v = r[field] ?? [];
      if (!Array.isArray(v) || !v.every((p) => typeof p === "string" && p.length > 0))
        fail(`regulatorKeys.${field}`, "must be a list of file paths");
      return v as string[];
    };
    regulatorKeys = { keyFiles: paths("keyFiles"), sharedKeysFiles: paths("sharedKeysFiles") };
    if (regulatorKeys.keyFiles.length + regulatorKeys.sharedKeysFiles.length === 0)
      fail("regulatorKeys", "names no file: give keyFiles or sharedKeysFiles, or leave regulatorKeys out");
  }
  return {
    apiKeys,
    webhooks,
    store,
    outbox,
    pollSeconds: num("pollSeconds", 1),
    confirmations: whole("confirmations", 0, "blocks"),
    retryBaseMs: num("retryBaseMs", 1_000),
    maxRetryMs: num("maxRetryMs", 300_000),
    maxAttempts,
    maxAgeMs,
    timeoutMs,
    deliveryConcurrency: count("deliveryConcurrency", 16),
    keepDeliveredMs: num("keepDeliveredMs", 7 * 86_400_000),
    responseCacheMB: whole("responseCacheMB", 64, "MB"),
    regulatorKeys,
  };
}

export function loadServeConfig(path: string): ServeConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new InvalidArgumentError("config", `cannot read ${path}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0 });
  } catch (e) {
    throw new InvalidArgumentError("config", `${path} is not YAML or JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseServeConfig(doc, path);
}
