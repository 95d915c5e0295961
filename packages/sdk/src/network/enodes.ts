/**
 * Enode URLs as Besu reads and prints them. Besu parses an allowlist entry with
 * `EnodeURLImpl.fromString` (hyperledger/besu ethereum/p2p/.../peers/EnodeURLImpl.java): scheme
 * `enode`, a node id of exactly 128 hex digits (no 0x), an IP address (DNS names only with the
 * early-access `--Xdns-enabled`, which the kit does not turn on), a listening port 1–65535 and an
 * optional `?discport=<port>`. It prints one back (`toURI`) as `enode://<id in lower case>@<ip>:<port>`,
 * with `?discport=` only when the discovery port differs from the listening port; two entries are
 * the same node when id, IP, listening and discovery port are equal. `canonicalEnode` gives that
 * printed form, so lists from a node (`perm_getNodesAllowlist`), a file and the registry compare
 * as Besu compares them. IPv4 only, as in the rest of the kit.
 */
import { InvalidArgumentError } from "../errors/base";
import { isIPv4 } from "./nodeKeys";

/** An enode URL's parts (`discoveryPort` equals `port` unless the URL says otherwise). */
export interface EnodeParts {
  /** 128 lower-case hex digits, no 0x. */
  id: string;
  ip: string;
  port: number;
  discoveryPort: number;
}

function port(value: string, what: string, url: string): number {
  const n = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 65535))
    throw new InvalidArgumentError("enode", `${url} has no valid ${what} (1 to 65535, got "${value}")`);
  return n;
}

/** Parse an enode URL the way Besu does (IPv4 hosts); InvalidArgumentError says what is wrong. */
export function parseEnode(url: string): EnodeParts {
  const m = /^enode:\/\/([^@]*)@([^:/?]*)(?::([^?/]*))?(?:\?(.*))?$/i.exec(url.trim());
  if (!m)
    throw new InvalidArgumentError(
      "enode",
      `${JSON.stringify(url)} is not an enode URL (enode://<node id>@<ip>:<port>[?discport=<port>])`,
    );
  const [, id, ip, listen, query] = m;
  if (!/^[0-9a-fA-F]{128}$/.test(id))
    throw new InvalidArgumentError("enode", `${url} has no valid node id (exactly 128 hex digits, no 0x)`);
  if (!isIPv4(ip))
    throw new InvalidArgumentError(
      "enode",
      `${url} does not name an IPv4 address (Besu reads DNS names only with --Xdns-enabled)`,
    );
  const listening = port(listen ?? "", "listening port", url);
  let discoveryPort = listening;
  if (query !== undefined) {
    const d = /^discport=([0-9]{1,5})$/.exec(query);
    if (!d) throw new InvalidArgumentError("enode", `${url} has an invalid query (only ?discport=<port>)`);
    discoveryPort = port(d[1], "discovery port", url);
  }
  return { id: id.toLowerCase(), ip, port: listening, discoveryPort };
}

/** An enode URL as Besu prints it (`EnodeURLImpl.toURI`). */
export function formatEnode(p: EnodeParts): string {
  const base = `enode://${p.id}@${p.ip}:${p.port}`;
  return p.discoveryPort === p.port ? base : `${base}?discport=${p.discoveryPort}`;
}

/** `url` in Besu's printed form: equal strings ⇔ the same node for Besu's allowlist. */
export function canonicalEnode(url: string): string {
  return formatEnode(parseEnode(url));
}
