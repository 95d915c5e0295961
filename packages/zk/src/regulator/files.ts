/**
 * The regulator's key files (docs/spec/regulator-keys.md §6): the key (secret, mode 0600), its
 * public key, the officials' shares (secret, mode 0600) and the split's public commitments. Each
 * has a `kind` and `version` 1; each is checked on read (the field at fault is named) down to the
 * arithmetic: a public key that is not secret·Base8, a share that is not its commitment's, or
 * commitments that are not one polynomial's are refused. Written atomically.
 */
import { writeFileAtomic } from "@clearhouse/sdk/node";
import { ClearhouseError } from "@clearhouse/sdk/errors";
import { BASE8, checkSubgroupPoint, mul, pointEquals, type Point } from "./curve";
import { FileFields, hex32, pointToJson } from "./fileFields";
import { checkThresholdPublic, MAX_OFFICIALS, type RegulatorShare, type ThresholdPublic } from "./threshold";

export const REGULATOR_KEY_KIND = "clearhouse.regulator-key";
export const REGULATOR_PUBLIC_KEY_KIND = "clearhouse.regulator-public-key";
export const REGULATOR_SHARE_KIND = "clearhouse.regulator-share";
export const REGULATOR_COMMITMENTS_KIND = "clearhouse.regulator-commitments";

/** A regulator key of one epoch (the key in force for chunks encrypted in that epoch). */
export interface RegulatorKeyFile {
  epoch: number;
  secret: bigint;
  public: Point;
}

export interface RegulatorPublicKeyFile {
  epoch: number;
  public: Point;
}

export interface RegulatorShareFile extends RegulatorShare {
  epoch: number;
}

export interface ThresholdPublicFile extends ThresholdPublic {
  epoch: number;
}

/** JSON text of a file: two-space indented, one newline at the end. */
const text = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";
const SECRET_MODE = 0o600;

/** Run a check whose InvalidArgumentError / InvalidCurvePointError becomes the file's field error. */
function checked<T>(f: FileFields, field: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof ClearhouseError && e.category === "input") throw f.error(field, e.shortMessage);
    throw e;
  }
}

export function regulatorKeyToJson(k: RegulatorKeyFile): Record<string, unknown> {
  return {
    kind: REGULATOR_KEY_KIND,
    version: 1,
    epoch: k.epoch,
    secret: hex32(k.secret),
    public: pointToJson(k.public),
  };
}

export function readRegulatorKeyFile(path: string): RegulatorKeyFile {
  const f = FileFields.read(path, REGULATOR_KEY_KIND, "A key file is written by `clearhouse regulator keygen`.");
  const epoch = f.epoch();
  const secret = f.scalar("secret");
  const pub = f.point("public");
  if (!pointEquals(mul(BASE8, secret), pub)) throw f.error("public", "is not secret·Base8 (the file was edited?)");
  return { epoch, secret, public: pub };
}

/** Write a key file readable by its owner alone (mode 0600), replacing any file at `path`. */
export function writeRegulatorKeyFile(path: string, k: RegulatorKeyFile): void {
  writeFileAtomic(path, text(regulatorKeyToJson(k)), SECRET_MODE);
}

export function regulatorPublicKeyToJson(k: RegulatorPublicKeyFile): Record<string, unknown> {
  return { kind: REGULATOR_PUBLIC_KEY_KIND, version: 1, epoch: k.epoch, public: pointToJson(k.public) };
}

export function readRegulatorPublicKeyFile(path: string): RegulatorPublicKeyFile {
  const f = FileFields.read(path, REGULATOR_PUBLIC_KEY_KIND);
  const epoch = f.epoch();
  const pub = f.point("public");
  checked(f, "public", () => checkSubgroupPoint(pub, "public key"));
  return { epoch, public: pub };
}

export function writeRegulatorPublicKeyFile(path: string, k: RegulatorPublicKeyFile): void {
  writeFileAtomic(path, text(regulatorPublicKeyToJson(k)));
}

function thresholdPublicJson(p: ThresholdPublic): Record<string, unknown> {
  return {
    k: p.k,
    n: p.n,
    commitments: p.commitments.map((c) => ({ index: c.index, ...pointToJson(c.point) })),
    public: pointToJson(p.public),
  };
}

/** k, n, commitments and public of a share or commitments file, checked to be one split's. */
function readThresholdPublic(f: FileFields): ThresholdPublic {
  const n = f.integer("n", 2, MAX_OFFICIALS);
  const k = f.integer("k", 2, n);
  const commitments = f.array("commitments").map((c, t) => {
    const field = `commitments[${t}]`;
    if (typeof c !== "object" || c === null) throw f.error(field, "is not {index, x, y}");
    return {
      index: f.integer(`${field}.index`, 1, n, (c as { index?: unknown }).index),
      point: f.point(field, c),
    };
  });
  const pub: ThresholdPublic = { k, n, public: f.point("public"), commitments };
  checked(f, "commitments", () => checkThresholdPublic(pub));
  return pub;
}

export function regulatorShareToJson(s: RegulatorShareFile): Record<string, unknown> {
  const { k, n, commitments, public: p } = thresholdPublicJson(s);
  return {
    kind: REGULATOR_SHARE_KIND,
    version: 1,
    epoch: s.epoch,
    index: s.index,
    k,
    n,
    share: hex32(s.value),
    commitments,
    public: p,
  };
}

export function readRegulatorShareFile(path: string): RegulatorShareFile {
  const f = FileFields.read(path, REGULATOR_SHARE_KIND, "A share file is written by `clearhouse regulator split`.");
  const epoch = f.epoch();
  const pub = readThresholdPublic(f);
  const index = f.integer("index", 1, pub.n);
  const value = f.scalar("share");
  if (!pointEquals(mul(BASE8, value), pub.commitments[index - 1].point))
    throw f.error("share", `is not the share committed to as S_${index} (share·Base8 ≠ commitments[${index - 1}])`);
  return { ...pub, epoch, index, value };
}

/** Write an official's share file (mode 0600), replacing any file at `path`. */
export function writeRegulatorShareFile(path: string, s: RegulatorShareFile): void {
  writeFileAtomic(path, text(regulatorShareToJson(s)), SECRET_MODE);
}

export function thresholdPublicToJson(p: ThresholdPublicFile): Record<string, unknown> {
  return { kind: REGULATOR_COMMITMENTS_KIND, version: 1, epoch: p.epoch, ...thresholdPublicJson(p) };
}

export function writeThresholdPublicFile(path: string, p: ThresholdPublicFile): void {
  writeFileAtomic(path, text(thresholdPublicToJson(p)));
}

/**
 * The public part of a split, from a commitments file or from any official's share file (whose
 * share is checked and then not kept).
 */
export function readThresholdPublicFile(path: string): ThresholdPublicFile {
  const f = FileFields.read(path, undefined);
  if (f.json.kind === REGULATOR_SHARE_KIND) {
    const { epoch, k, n, commitments, public: p } = readRegulatorShareFile(path);
    return { epoch, k, n, commitments, public: p };
  }
  const g = FileFields.read(
    path,
    REGULATOR_COMMITMENTS_KIND,
    `Give a ${REGULATOR_COMMITMENTS_KIND} or ${REGULATOR_SHARE_KIND} file, as \`clearhouse regulator split\` wrote them.`,
  );
  return { epoch: g.epoch(), ...readThresholdPublic(g) };
}
