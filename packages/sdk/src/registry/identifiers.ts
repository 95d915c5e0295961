import { keccak256, stringToHex, type Hex } from "viem";
import { InvalidArgumentError } from "../errors/base";
import { requireSmallInt, requireText } from "../validate";

/** ISO 7064 MOD 97-10 remainder of an alphanumeric string (letters count as 10–35). */
function mod97(text: string): number {
  let remainder = 0;
  for (const ch of text) {
    const digits = ch >= "A" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder;
}

/** Append the two ISO 17442 check digits to an 18-character LEI prefix. */
export function leiWithCheckDigits(prefix18: string): string {
  if (!/^[A-Z0-9]{18}$/.test(prefix18)) {
    throw new InvalidArgumentError("prefix18", `${JSON.stringify(prefix18)} is not 18 upper-case alphanumerics`);
  }
  const check = 98 - mod97(prefix18 + "00");
  return prefix18 + String(check).padStart(2, "0");
}

/** keccak256 of an ISO 17442 legal-entity identifier (18 alphanumerics + 2 check digits, verified). */
export function leiHash(lei: string): Hex {
  if (!/^[A-Z0-9]{18}[0-9]{2}$/.test(lei) || mod97(lei) !== 1) {
    throw new InvalidArgumentError(
      "lei",
      `${JSON.stringify(lei)} is not a valid ISO 17442 LEI (20 characters, MOD 97-10 check digits)`,
    );
  }
  return keccak256(stringToHex(lei));
}

/** A node of the consortium's network, as Besu identifies it. */
export interface NodeParameters {
  /** The node's public key: 128 hex characters, no 0x (an `enode://…@host:port` URL is accepted too). */
  enodeId: string;
  ip: string;
  port: number;
}

/** Normalize and validate a node triple; accepts a full `enode://id@host:port` URL as `enodeId`. */
export function parseNode(p: NodeParameters): [string, string, number] {
  const url = /^enode:\/\/([0-9a-fA-F]{128})@([^:]+):(\d+)/.exec(p.enodeId);
  const [id, ip, port] = url ? [url[1], url[2], Number(url[3])] : [p.enodeId.replace(/^0x/, ""), p.ip, p.port];
  if (!/^[0-9a-fA-F]{128}$/.test(id)) {
    throw new InvalidArgumentError("enodeId", "must be 128 hexadecimal characters (the node's public key)");
  }
  return [id.toLowerCase(), requireText("ip", ip, 1, 64).toLowerCase(), requireSmallInt("port", port, 1, 65535)];
}
