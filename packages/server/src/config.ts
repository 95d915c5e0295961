/**
 * `clearhouse serve` configuration (YAML or JSON): API keys with their role, webhooks, the outbox.
 *
 *   apiKeys:
 *     - { name: alpine-ops, key: "…", role: member, account: "0x…" }   # sees its own batches/agreements
 *     - { name: auditor, key: "…", role: auditor }                      # sees everything
 *     - { name: supervisor, key: "…", role: regulator }
 *   webhooks:
 *     - { id: core-banking, url: "https://…/hooks/clearhouse", secret: "…", events: [BatchSubmitted, CycleClosed] }
 *   outbox: .clearhouse/outbox.json
 *   pollSeconds: 1
 */
import { readFileSync } from "node:fs";
import { getAddress, isAddress, type Address } from "viem";
import { parse as parseYaml } from "yaml";
import { InvalidArgumentError } from "@clearhouse/sdk/errors";

export type ApiRole = "member" | "auditor" | "regulator";

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
  secret: string;
  /** Event names to deliver; all when absent. */
  events?: string[];
}

export interface ServeConfig {
  apiKeys: ApiKey[];
  webhooks: WebhookConfig[];
  outbox: string;
  pollSeconds: number;
  /** First retry delay in ms; doubles per attempt up to maxRetryMs. */
  retryBaseMs: number;
  maxRetryMs: number;
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
    if (k.role !== "member" && k.role !== "auditor" && k.role !== "regulator")
      fail(`apiKeys[${i}].role`, "must be member, auditor or regulator");
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
  const hooks =
    d.webhooks === undefined ? [] : Array.isArray(d.webhooks) ? d.webhooks : fail("webhooks", "must be a list");
  const webhooks = (hooks as unknown[]).map((raw, i): WebhookConfig => {
    const h = (raw ?? {}) as Record<string, unknown>;
    if (typeof h.id !== "string" || !/^[\w.-]+$/.test(h.id)) fail(`webhooks[${i}].id`, "must be a word");
    if (typeof h.url !== "string" || !/^https?:\/\//.test(h.url)) fail(`webhooks[${i}].url`, "must be an http(s) URL");
    if (typeof h.secret !== "string" || h.secret.length < 16)
      fail(`webhooks[${i}].secret`, "must be at least 16 characters");
    if (h.events !== undefined && (!Array.isArray(h.events) || !h.events.every((e) => typeof e === "string")))
      fail(`webhooks[${i}].events`, "must be a list of event names");
    return {
      id: h.id as string,
      url: h.url as string,
      secret: h.secret as string,
      events: h.events as string[] | undefined,
    };
  });
  if (new Set(webhooks.map((w) => w.id)).size !== webhooks.length) fail("webhooks", "has a duplicate id");
  const num = (field: string, fallback: number) => {
    const v = d[field] === undefined ? fallback : Number(d[field]);
    return Number.isFinite(v) && v > 0 ? v : fail(field, "must be a positive number");
  };
  return {
    apiKeys,
    webhooks,
    outbox: typeof d.outbox === "string" ? d.outbox : ".clearhouse/outbox.json",
    pollSeconds: num("pollSeconds", 1),
    retryBaseMs: num("retryBaseMs", 1_000),
    maxRetryMs: num("maxRetryMs", 300_000),
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
