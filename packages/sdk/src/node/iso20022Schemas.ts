/**
 * The ISO 20022 message schemas (XSD) shipped in iso20022/xsd/ of the `@clearhouse/sdk` package:
 * unmodified copies of the Registration Authority's schemas of the messages Clearhouse reads and
 * writes (head.001, pacs.002, pacs.004, pacs.008, pacs.009; the folder's README.md lists versions
 * and provenance), for validating messages with any XSD validator (xmllint, libxml2, Xerces…).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { InvalidArgumentError } from "../errors/base";
import { findPackageRoot } from "./packageRoot";

/** Prefix of every ISO 20022 message namespace; the message id (e.g. pacs.008.001.08) follows it. */
export const ISO20022_NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:";
const MESSAGE_ID = /^[a-z]{4}\.\d{3}\.\d{3}\.\d{2}$/;

/** The folder of the shipped schemas, found when first needed (not at import). */
export function iso20022SchemaDir(): string {
  return join(findPackageRoot(__dirname, "@clearhouse/sdk"), "iso20022", "xsd");
}

/** The message ids that have a shipped schema (e.g. `pacs.008.001.08`), sorted. */
export function iso20022SchemaIds(): string[] {
  return readdirSync(iso20022SchemaDir())
    .filter((f) => f.endsWith(".xsd"))
    .map((f) => f.slice(0, -".xsd".length))
    .filter((id) => MESSAGE_ID.test(id))
    .sort();
}

/**
 * The message id of an ISO 20022 namespace (`urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08` →
 * `pacs.008.001.08`), or the id itself when given one; undefined for anything else.
 */
export function iso20022MessageId(namespaceOrId: string): string | undefined {
  const id = namespaceOrId.startsWith(ISO20022_NAMESPACE_PREFIX)
    ? namespaceOrId.slice(ISO20022_NAMESPACE_PREFIX.length)
    : namespaceOrId;
  return MESSAGE_ID.test(id) ? id : undefined;
}

/**
 * Path of the shipped schema of a message, by id (`pacs.002.001.10`) or namespace.
 * @throws InvalidArgumentError when the argument is not an ISO 20022 message id or namespace, or
 * when no schema of that message version is shipped (the message names the shipped ones).
 */
export function iso20022SchemaPath(namespaceOrId: string): string {
  const id = iso20022MessageId(namespaceOrId);
  if (id === undefined) {
    throw new InvalidArgumentError(
      "message",
      `${JSON.stringify(namespaceOrId)} is not an ISO 20022 message id or namespace`,
      `give an id such as pacs.008.001.08 or a namespace ${ISO20022_NAMESPACE_PREFIX}<id>`,
    );
  }
  const path = join(iso20022SchemaDir(), `${id}.xsd`);
  if (!existsSync(path)) {
    throw new InvalidArgumentError(
      "message",
      `no schema of ${id} is shipped (shipped: ${iso20022SchemaIds().join(", ")})`,
      `add the official XSD of ${id} to ${iso20022SchemaDir()}`,
    );
  }
  return path;
}
