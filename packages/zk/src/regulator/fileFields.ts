/**
 * Reading the fields of a regulator JSON file, each refused with RegulatorFileError naming the file
 * and the field. Numbers are written as 0x + 64 hex digits; decimal strings are read as well.
 */
import { readFileSync } from "node:fs";
import { toHex } from "viem";
import { BASE_FIELD, SUBGROUP_ORDER, type Point } from "./curve";
import { RegulatorFileError } from "./errors";

/** The JSON form of a point. */
export interface PointJson {
  x: string;
  y: string;
}

export const hex32 = (v: bigint): string => toHex(v, { size: 32 });
export const pointToJson = (p: Point): PointJson => ({ x: hex32(p[0]), y: hex32(p[1]) });

/** One file being read: its fields, checked one by one. */
export class FileFields {
  constructor(
    readonly path: string,
    readonly json: Record<string, unknown>,
  ) {}

  /** Read `path` as a JSON object of `kind` and version 1. */
  static read(path: string, kind: string | undefined, hint?: string): FileFields {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new RegulatorFileError(
        path,
        "(file)",
        `cannot be read as JSON: ${(e as Error).message.split("\n")[0]}`,
        hint,
      );
    }
    if (typeof json !== "object" || json === null || Array.isArray(json))
      throw new RegulatorFileError(path, "(file)", "is not a JSON object", hint);
    const f = new FileFields(path, json as Record<string, unknown>);
    if (kind !== undefined) {
      if (f.json.kind !== kind) throw f.error("kind", `is ${JSON.stringify(f.json.kind)}, not "${kind}"`, hint);
      if (f.json.version !== 1) throw f.error("version", `is ${JSON.stringify(f.json.version)}, not 1`);
    }
    return f;
  }

  error(field: string, problem: string, hint?: string): RegulatorFileError {
    return new RegulatorFileError(this.path, field, problem, hint);
  }

  /** The value at a dotted path (`items[2].proof.challenge` is read as given by the caller). */
  private at(field: string, value?: unknown): unknown {
    return value === undefined ? this.json[field] : value;
  }

  integer(field: string, min: number, max: number, value?: unknown): number {
    const v = this.at(field, value);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max)
      throw this.error(field, `is ${JSON.stringify(v)}, not an integer in [${min}, ${max}]`);
    return v;
  }

  epoch(): number {
    return this.integer("epoch", 0, Number.MAX_SAFE_INTEGER);
  }

  /** An integer in [min, below) from a 0x-hex or decimal string. */
  number(field: string, min: bigint, below: bigint, what: string, value?: unknown): bigint {
    const v = this.at(field, value);
    if (typeof v !== "string" || !/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(v))
      throw this.error(field, `is ${JSON.stringify(v)}, not a 0x-hex or decimal number`);
    const n = BigInt(v);
    if (n < min || n >= below) throw this.error(field, `is not ${what}`);
    return n;
  }

  /** A scalar in [1, l−1]. */
  scalar(field: string, value?: unknown): bigint {
    return this.number(field, 1n, SUBGROUP_ORDER, "a scalar in [1, l−1] (l = the BabyJubjub subgroup order)", value);
  }

  /** A point {x, y} with coordinates below p (curve membership is checked by whoever uses it). */
  point(field: string, value?: unknown): Point {
    const v = this.at(field, value);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw this.error(field, "is not a point {x, y}");
    const p = v as Record<string, unknown>;
    const coordinate = (c: "x" | "y") =>
      this.number(`${field}.${c}`, 0n, BASE_FIELD, "below the BN254 field modulus", p[c]);
    return [coordinate("x"), coordinate("y")];
  }

  array(field: string, value?: unknown): unknown[] {
    const v = this.at(field, value);
    if (!Array.isArray(v) || v.length === 0) throw this.error(field, "is not a non-empty list");
    return v;
  }
}
