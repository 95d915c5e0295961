import { expect } from "chai";
import fc from "fast-check";
import { IdIndex } from "../../packages/sdk/src/settlement/idIndex";
import { mod97 } from "../../packages/sdk/src/settlement/iso20022/mapping";
import { daysSinceEpoch } from "../../packages/sdk/src/settlement/record";

/** ISO 13616 mod-97 with BigInt: letters as 10…35, the first four characters moved to the end. */
function mod97Reference(iban: string): number {
  const moved = iban.slice(4) + iban.slice(0, 4);
  const digits = [...moved].map((c) => parseInt(c, 36).toString()).join("");
  return Number(BigInt(digits) % 97n);
}

describe("settlement/iso20022 IdIndex: the duplicate-id index of the message checks", () => {
  it("returns the first value of a repeated id and stores new ids, across table and buffer growth", () => {
    const index = new IdIndex();
    for (let i = 0; i < 50_000; i++) expect(index.firstOrAdd(`TX-${i}`, i + 1)).to.equal(undefined);
    expect(index.size).to.equal(50_000);
    expect(index.firstOrAdd("TX-0", 99)).to.equal(1);
    expect(index.firstOrAdd("TX-49999", 99)).to.equal(50_000);
    expect(index.firstOrAdd("TX-", 7)).to.equal(undefined); // a prefix of stored ids is a new id
    expect(index.firstOrAdd("TX-12345", 0)).to.equal(12_346);
    expect(index.size).to.equal(50_001);
  });

  it("tells apart ids whose unseeded FNV-1a hashes collide, and ids beyond Latin-1", () => {
    // Equal 32-bit FNV-1a hashes are found by brute force over short ids, then both must be kept.
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair && i < 2_000_000; i++) {
      const id = i.toString(36);
      let h = 0x811c9dc5;
      for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
      const other = seen.get(h >>> 0);
      if (other !== undefined) pair = [other, id];
      else seen.set(h >>> 0, id);
    }
    if (!pair) throw new Error("no FNV-1a collision among 2,000,000 short ids");
    const index = new IdIndex();
    expect(index.firstOrAdd(pair[0], 1)).to.equal(undefined);
    expect(index.firstOrAdd(pair[1], 2)).to.equal(undefined);
    expect(index.firstOrAdd(pair[1], 3)).to.equal(2);
    expect(index.firstOrAdd(pair[0], 3)).to.equal(1);
    expect(index.firstOrAdd("Zahlung-€-1", 4)).to.equal(undefined);
    expect(index.firstOrAdd("Zahlung-€-1", 5)).to.equal(4);
    expect(index.firstOrAdd("Zahlung-é-1", 6)).to.equal(undefined);
  });

  it("moves to a Map when chosen ids pile into one probe sequence, and still answers exactly", () => {
    // With the seed known (an attacker cannot know it: it is random per index), ids landing in
    // slot 0 of the 2,048-slot table are found by brute force: the 66th needs more than 64 probes.
    const seed = 12345;
    const fnv = (id: string): number => {
      let h = 0x811c9dc5 ^ seed;
      for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
      h ^= id.length;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      return ((h ^ (h >>> 16)) >>> 0) & 2047;
    };
    const crafted: string[] = [];
    for (let i = 0; crafted.length < 80; i++) if (fnv(`TX-${i}`) === 0) crafted.push(`TX-${i}`);
    const index = new IdIndex(seed);
    crafted.forEach((id, i) => expect(index.firstOrAdd(id, i), id).to.equal(undefined));
    expect(index.inMap).to.equal(true);
    expect(index.size).to.equal(80);
    crafted.forEach((id, i) => expect(index.firstOrAdd(id, 999), id).to.equal(i));
    expect(index.firstOrAdd("Zahlung-€-1", 5)).to.equal(undefined);
    expect(index.firstOrAdd("TX-new", 6)).to.equal(undefined);
    expect(index.firstOrAdd("TX-new", 7)).to.equal(6);
    // A random seed keeps ordinary ids in the compact table.
    const ordinary = new IdIndex();
    for (let i = 0; i < 10_000; i++) ordinary.firstOrAdd(`TX-${i}`, i);
    expect(ordinary.inMap).to.equal(false);
  });

  it("agrees with a Map on random id sequences (property, 200 runs)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6, unit: "binary" }), { maxLength: 400 }), (ids) => {
        const index = new IdIndex();
        const map = new Map<string, number>();
        return ids.every((id, i) => {
          const want = map.get(id);
          if (want === undefined) map.set(id, i);
          return index.firstOrAdd(id, i) === want;
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe("settlement/iso20022 fast paths: mod-97 and value dates", () => {
  it("mod97 equals the BigInt definition on real and random IBAN-shaped strings (property, 500 runs)", () => {
    for (const iban of ["DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606"]) {
      expect(mod97(iban), iban).to.equal(1);
    }
    const alnum = fc.constantFrom(..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    fc.assert(
      fc.property(fc.array(alnum, { minLength: 5, maxLength: 34 }), (chars) => {
        const s = chars.join("");
        return mod97(s) === mod97Reference(s) && mod97(s.toLowerCase()) === mod97Reference(s);
      }),
      { numRuns: 500 },
    );
    expect(Number.isNaN(mod97("DE89 3704"))).to.equal(true); // a space is not a digit: never 1
  });

  it("daysSinceEpoch answers a repeated date from its memo and still refuses bad dates after it", () => {
    expect(daysSinceEpoch("2026-12-06")).to.equal(20_793);
    expect(daysSinceEpoch("2026-12-06")).to.equal(20_793);
    expect(daysSinceEpoch("2026-02-30")).to.equal(-1);
    expect(daysSinceEpoch("2026-12-06")).to.equal(20_793);
    expect(daysSinceEpoch("1970-01-01")).to.equal(0);
    expect(daysSinceEpoch("2026-12-6")).to.equal(-1);
  });
});
