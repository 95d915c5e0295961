/**
 * `clearhouse regulator keygen | split | partial | combine`: a key per epoch, split 2-of-3, two
 * officials' partials of a batch's ephemeral keys combined into the keys that decrypt its slots;
 * secrets in mode 0600 files never overwritten without --force; every malformed or forged file
 * refused with exit 2 and one line naming the file, the field or the official.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { ExitCode } from "../../packages/cli/src/exit";
import {
  add,
  decryptSlot,
  encryptionKey,
  encryptSlot,
  generateEphemeralKey,
  pointToJson,
  readRegulatorPublicKeyFile,
  readSharedKeysFile,
  type Point,
} from "../../packages/zk/src/regulator";
import { cliRunner, expectFailure, jsonResult } from "./harness";

describe("CLI regulator", function () {
  this.timeout(120_000);
  const cli = cliRunner("deployments/none.json");
  const dir = mkdtempSync(join(tmpdir(), "cli-regulator-"));
  const f = (name: string) => join(dir, name);
  const mode = (path: string) => statSync(path).mode & 0o777;
  const chunks = [generateEphemeralKey(), generateEphemeralKey()];
  const slot = { paymentIdHash: 101n, debtorAccountHash: 202n, creditorAccountHash: 303n, amount: 25_000_00n };
  let regulatorPublic: Point;

  before(async () => {
    const key = await cli("regulator", "keygen", "--epoch", "3", "--out", f("key.json"), "--public-out", f("pub.json"));
    expect(key.code, key.err).to.equal(ExitCode.ok);
    regulatorPublic = readRegulatorPublicKeyFile(f("pub.json")).public;
    writeFileSync(f("eph.json"), JSON.stringify({ ephemeral: chunks.map((c) => pointToJson(c.public)) }));
    const split = await cli(
      "regulator",
      "split",
      "--key",
      f("key.json"),
      "--threshold",
      "2",
      "--officials",
      "3",
      "--out-dir",
      f("shares"),
    );
    expect(split.code, split.err).to.equal(ExitCode.ok);
    for (const i of [1, 2, 3]) {
      const r = await cli(
        "regulator",
        "partial",
        "--share",
        f(`shares/share-${i}.json`),
        "--ephemeral-file",
        f("eph.json"),
        "--out",
        f(`partial-${i}.json`),
      );
      expect(r.code, r.err).to.equal(ExitCode.ok);
    }
  });

  const combine = (commitments: string, partials: string[], out: string, ...global: string[]) =>
    cli(
      ...global,
      "regulator",
      "combine",
      "--share-commitments",
      f(commitments),
      "--partials",
      ...partials.map(f),
      "--out",
      f(out),
    );

  it("keygen writes the key (mode 0600) and the public key, with kind, version and epoch", () => {
    const key = JSON.parse(readFileSync(f("key.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(key)).to.deep.equal(["kind", "version", "epoch", "secret", "public"]);
    expect(key).to.include({ kind: "clearhouse.regulator-key", version: 1, epoch: 3 });
    expect(key.secret).to.match(/^0x[0-9a-f]{64}$/);
    expect(mode(f("key.json"))).to.equal(0o600);
    const pub = JSON.parse(readFileSync(f("pub.json"), "utf8")) as Record<string, unknown>;
    expect(pub).to.deep.equal({ kind: "clearhouse.regulator-public-key", version: 1, epoch: 3, public: key.public });
  });

  it("split writes share-1..3 (mode 0600) and the public commitments", () => {
    for (const i of [1, 2, 3]) {
      const share = JSON.parse(readFileSync(f(`shares/share-${i}.json`), "utf8")) as Record<string, unknown>;
      expect(share).to.include({ kind: "clearhouse.regulator-share", version: 1, epoch: 3, index: i, k: 2, n: 3 });
      expect(share.commitments).to.have.length(3);
      expect(mode(f(`shares/share-${i}.json`))).to.equal(0o600);
    }
    const c = JSON.parse(readFileSync(f("shares/commitments.json"), "utf8")) as Record<string, unknown>;
    expect(c).to.include({ kind: "clearhouse.regulator-commitments", epoch: 3, k: 2, n: 3 });
    expect(c).not.to.have.property("share");
  });

  it("any two officials' partials combine into the keys that decrypt the batch's slots", async () => {
    for (const [commitments, pair, out] of [
      ["shares/commitments.json", ["partial-1.json", "partial-3.json"], "keys-13.json"],
      ["shares/share-2.json", ["partial-3.json", "partial-2.json"], "keys-32.json"],
    ] as const) {
      const r = jsonResult<{ epoch: number; officials: number[]; count: number }>(
        await combine(commitments, [...pair], out, "--json"),
      );
      expect(r).to.include({ epoch: 3, count: 2 });
      expect(mode(f(out))).to.equal(0o600);
      const keys = readSharedKeysFile(f(out));
      chunks.forEach((c, t) => {
        const K = encryptionKey(c.secret, regulatorPublic);
        expect(keys.keys[t]).to.deep.equal({ ephemeral: c.public, key: K });
        expect(decryptSlot(encryptSlot(slot, K, t), keys.keys[t].key, t)).to.deep.equal(slot);
      });
    }
  });

  it("never overwrites a key, share or output without --force", async () => {
    const before = readFileSync(f("key.json"), "utf8");
    expectFailure(
      await cli("regulator", "keygen", "--epoch", "3", "--out", f("key.json")),
      ExitCode.badInput,
      /key\.json exists: not overwritten/,
    );
    expect(readFileSync(f("key.json"), "utf8")).to.equal(before);
    expectFailure(
      await cli(
        "regulator",
        "split",
        "--key",
        f("key.json"),
        "--threshold",
        "2",
        "--officials",
        "3",
        "--out-dir",
        f("shares"),
      ),
      ExitCode.badInput,
      /share-1\.json, .*commitments\.json exist: not overwritten/,
    );
    expectFailure(
      await combine("shares/commitments.json", ["partial-1.json", "partial-2.json"], "keys-13.json"),
      ExitCode.badInput,
      /exists/,
    );
    const forced = await cli("regulator", "keygen", "--epoch", "4", "--out", f("key.json"), "--force");
    expect(forced.code, forced.err).to.equal(ExitCode.ok);
    expect(readFileSync(f("key.json"), "utf8")).not.to.equal(before);
    expect(mode(f("key.json"))).to.equal(0o600);
  });

  it("refuses too few partials, a duplicate and a forged one, naming the official and the ephemeral key", async () => {
    expectFailure(
      await combine("shares/commitments.json", ["partial-1.json"], "few.json"),
      ExitCode.badInput,
      /^error: 1 partial decryption\(s\) given of ephemeral key #1; the key was split 2-of-n and needs 2/,
    );
    expectFailure(
      await combine("shares/commitments.json", ["partial-1.json", "partial-1.json"], "dup.json"),
      ExitCode.badInput,
      /Official 1's partial decryption was given twice/,
    );
    const forged = JSON.parse(readFileSync(f("partial-3.json"), "utf8")) as {
      items: { point: { x: string; y: string } }[];
    };
    const p = forged.items[1].point;
    forged.items[1].point = pointToJson(add([BigInt(p.x), BigInt(p.y)], chunks[0].public));
    writeFileSync(f("forged-3.json"), JSON.stringify(forged));
    expectFailure(
      await combine("shares/commitments.json", ["partial-1.json", "forged-3.json"], "forged.json"),
      ExitCode.badInput,
      /^error: Official 3's partial decryption of ephemeral key #2 does not verify/,
    );
  });

  it("refuses malformed files, naming the file and the field", async () => {
    const edit = (from: string, to: string, change: (j: Record<string, unknown>) => void) => {
      const j = JSON.parse(readFileSync(f(from), "utf8")) as Record<string, unknown>;
      change(j);
      writeFileSync(f(to), JSON.stringify(j));
    };
    edit("shares/share-1.json", "bad-share.json", (j) => (j.share = "0x05"));
    edit("shares/share-1.json", "bad-kind.json", (j) => (j.kind = "clearhouse.regulator-key"));
    edit("partial-2.json", "other-epoch.json", (j) => (j.epoch = 4));
    edit("partial-2.json", "bad-proof.json", (j) => ((j.items as { proof: unknown }[])[0].proof = { challenge: "x" }));
    writeFileSync(f("bad-eph.json"), JSON.stringify({ ephemeral: [{ x: "0x01", y: "0x02" }] }));
    const partial = (share: string, out: string, eph = "eph.json") =>
      cli("regulator", "partial", "--share", f(share), "--ephemeral-file", f(eph), "--out", f(out));
    expectFailure(
      await partial("bad-share.json", "x.json"),
      ExitCode.badInput,
      /bad-share\.json: `share` is not the share committed to as S_1/,
    );
    expectFailure(
      await partial("bad-kind.json", "x.json"),
      ExitCode.badInput,
      /bad-kind\.json: `kind` is "clearhouse\.regulator-key", not "clearhouse\.regulator-share"/,
    );
    expectFailure(
      await partial("shares/share-1.json", "x.json", "bad-eph.json"),
      ExitCode.badInput,
      /ephemeral key E is not a valid BabyJubjub point: it is not on the curve/,
    );
    expectFailure(
      await combine("shares/commitments.json", ["partial-1.json", "other-epoch.json"], "x.json"),
      ExitCode.badInput,
      /other-epoch\.json: `epoch` is 4, but the share commitments are of epoch 3/,
    );
    expectFailure(
      await combine("shares/commitments.json", ["partial-1.json", "bad-proof.json"], "x.json"),
      ExitCode.badInput,
      /bad-proof\.json: `items\[0\]\.proof\.challenge` is "x", not a 0x-hex or decimal number/,
    );
    expectFailure(
      await cli(
        "regulator",
        "split",
        "--key",
        f("key.json"),
        "--threshold",
        "4",
        "--officials",
        "3",
        "--out-dir",
        f("s2"),
      ),
      ExitCode.badInput,
      /--threshold "4" is not a whole number from 2 to 3/,
    );
  });
});
