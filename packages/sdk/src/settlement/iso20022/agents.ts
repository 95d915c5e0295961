/**
 * Agent identification: which member bank a financial institution of an ISO 20022 message is.
 * A bank map keys members by BIC (8 or 11 characters, "XXX" branch implied), LEI (ISO 17442) or
 * clearing-system member id written `<ClrSysCd>:<MmbId>` (e.g. `USABA:011000028`); the
 * deployment's member table adds LEI hashes (the registry keeps only keccak256 of a member's LEI).
 * Precedence and conflicts: decision 027.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { InvalidArgumentError } from "../../errors/base";
import { leiHash } from "../../registry/identifiers";
import { IsoPaymentError } from "./reasons";
import type { XmlReader, XmlNode } from "./xml";

export type BankKeyKind = "BIC" | "LEI" | "clearing";

const BIC = /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
const LEI = /^[A-Z0-9]{18}[0-9]{2}$/;
const CLEARING = /^([A-Za-z0-9]{1,35}):(\S(?:.{0,33}\S)?)$/;

const isLei = (text: string): boolean => {
  if (!LEI.test(text)) return false;
  try {
    leiHash(text);
    return true;
  } catch {
    return false;
  }
};

/**
 * The kind of a bank-map key and its normal form (a BIC of 8 gets "XXX", a clearing system code
 * is upper-cased), or a reason it is none: "not a BIC (8 or 11), LEI (20, ISO 17442 check digits)
 * or <ClrSysCd>:<MmbId>".
 */
export function parseBankKey(key: string): { kind: BankKeyKind; key: string } | { problem: string } {
  if (BIC.test(key)) return { kind: "BIC", key: key.length === 8 ? `${key}XXX` : key };
  if (LEI.test(key)) {
    return isLei(key) ? { kind: "LEI", key } : { problem: "is an LEI whose ISO 17442 check digits are wrong" };
  }
  const m = CLEARING.exec(key);
  if (m) return { kind: "clearing", key: `${m[1].toUpperCase()}:${m[2]}` };
  return {
    problem:
      "is not a BIC (8 or 11 characters), an LEI (20 characters, ISO 17442) or a clearing-system member id " +
      "<ClrSysCd>:<MmbId> (e.g. USABA:011000028)",
  };
}

/** Financial-institution identifier → member bank; build it with `createBankMap`. */
export interface BankMap {
  readonly ids: ReadonlyMap<string, Address>;
  /** keccak256(LEI) → member, from the deployment's member table. */
  readonly leiHashes: ReadonlyMap<string, Address>;
}

/**
 * A bank map from `banks` (identifier → address, keys of any kind, see `parseBankKey`) and
 * `leiHashes` (keccak256 of an LEI → address, e.g. `bankMapEntriesFromMembers`). A bad key or
 * address is an InvalidArgumentError naming it; two keys that normalize alike must agree.
 */
export function createBankMap(banks: Record<string, string>, leiHashes: Record<string, string> = {}): BankMap {
  const ids = new Map<string, Address>();
  for (const [key, address] of Object.entries(banks)) {
    const parsed = parseBankKey(key);
    if ("problem" in parsed) throw new InvalidArgumentError(`banks.${key}`, parsed.problem);
    if (typeof address !== "string" || !isAddress(address, { strict: false })) {
      throw new InvalidArgumentError(`banks.${key}`, `${JSON.stringify(address)} is not a bank address`);
    }
    const previous = ids.get(parsed.key);
    if (previous !== undefined && previous !== getAddress(address)) {
      throw new InvalidArgumentError(`banks.${key}`, `maps ${parsed.key} to a second address`);
    }
    ids.set(parsed.key, getAddress(address));
  }
  const hashes = new Map<string, Address>();
  for (const [hash, address] of Object.entries(leiHashes)) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash) || !isAddress(address, { strict: false })) {
      throw new InvalidArgumentError(`leiHashes.${hash}`, "must map a 32-byte LEI hash to a bank address");
    }
    hashes.set(hash.toLowerCase(), getAddress(address));
  }
  return { ids, leiHashes: hashes };
}

/**
 * The LEI hash → address entries of a deployment's members (`listMembers`): every member whose
 * LEI hash is not zero and that is not removed.
 */
export function bankMapEntriesFromMembers(
  members: readonly { account: Address; leiHash: Hex; status: string }[],
): Record<string, Address> {
  const out: Record<string, Address> = {};
  for (const m of members) {
    if (m.status === "Removed" || m.status === "None" || /^0x0{64}$/.test(m.leiHash)) continue;
    out[m.leiHash.toLowerCase()] = getAddress(m.account);
  }
  return out;
}

/** One identifier of an institution, as read: where, how written, and the member it maps to. */
interface AgentId {
  path: string;
  label: string;
  member?: Address;
}

/**
 * The member bank a `FinInstnId` names. Identifiers are tried in the order BICFI (BIC in versions
 * 02–04), ClrSysMmbId, LEI; every one that maps must map to the same member (else RC01, naming
 * both); when none maps the payment is refused (RC01) naming every identifier and the payment.
 * Returns the address and the path of the identifier that decided.
 */
export function resolveAgent(
  r: XmlReader,
  banks: BankMap,
  agent: XmlNode,
  path: string,
  payment: string,
): [Address, string] {
  const finPath = `${path}/FinInstnId`;
  const fin = r.node(agent, path, "FinInstnId");
  const found: AgentId[] = [];
  const fail = (element: string, reason: string, hint?: string): never => {
    throw new IsoPaymentError(r.file, element, `${reason} (payment ${payment})`, "RC01", { hint });
  };
  const field = fin.BICFI === undefined && fin.BIC !== undefined ? "BIC" : "BICFI";
  const bic = r.text(fin, finPath, field, true);
  if (bic !== undefined) {
    if (!BIC.test(bic)) fail(`${finPath}/${field}`, `${bic} is not a BIC`);
    found.push({
      path: `${finPath}/${field}`,
      label: `${field} ${bic}`,
      member: banks.ids.get(bic.length === 8 ? `${bic}XXX` : bic),
    });
  }
  const clr = r.optional(fin, finPath, "ClrSysMmbId");
  if (clr !== undefined) {
    const clrPath = `${finPath}/ClrSysMmbId`;
    const node = r.asNode(clr, clrPath);
    const memberId = r.text(node, clrPath, "MmbId");
    const sys = r.optional(node, clrPath, "ClrSysId");
    const sysNode = sys === undefined ? undefined : r.asNode(sys, `${clrPath}/ClrSysId`);
    const code =
      sysNode &&
      (r.text(sysNode, `${clrPath}/ClrSysId`, "Cd", true) ?? r.text(sysNode, `${clrPath}/ClrSysId`, "Prtry", true));
    if (code === undefined) {
      found.push({ path: `${clrPath}/MmbId`, label: `ClrSysMmbId ${memberId} (no ClrSysId: clearing system unknown)` });
    } else {
      const key = `${code.toUpperCase()}:${memberId}`;
      found.push({ path: `${clrPath}/MmbId`, label: `ClrSysMmbId ${key}`, member: banks.ids.get(key) });
    }
  }
  const lei = r.text(fin, finPath, "LEI", true);
  if (lei !== undefined) {
    if (!isLei(lei)) fail(`${finPath}/LEI`, `${lei} is not a valid LEI (ISO 17442 check digits)`);
    found.push({
      path: `${finPath}/LEI`,
      label: `LEI ${lei}`,
      member: banks.ids.get(lei) ?? banks.leiHashes.get(leiHash(lei)),
    });
  }
  if (found.length === 0) fail(finPath, "names no BICFI, ClrSysMmbId or LEI: the institution cannot be identified");
  const mapped = found.filter((f) => f.member !== undefined);
  const [first] = mapped;
  if (first === undefined) {
    const where = found.length === 1 ? found[0].path : finPath;
    return fail(
      where,
      `${found.map((f) => f.label).join(", ")} ${found.length === 1 ? "maps" : "map"} to no member bank`,
      "Add the identifier to the bank map (--banks: BIC, LEI or <ClrSysCd>:<MmbId> → address).",
    );
  }
  const other = mapped.find((f) => f.member !== first.member);
  if (other !== undefined) {
    fail(finPath, `${first.label} is member ${first.member} but ${other.label} is member ${other.member}`);
  }
  return [first.member as Address, first.path];
}
