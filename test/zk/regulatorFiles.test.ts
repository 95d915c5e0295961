/**
 * The regulator's files (docs/spec/regulator-keys.md §6): each written and read back, and each
 * malformed field refused with RegulatorFileError naming the file and the field.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  combinePartialFiles,
  generateEphemeralKey,
  generateRegulatorKey,
  partialDecryptBatch,
  readEphemeralsFile,
  readPartialFile,
  readRegulatorKeyFile,
  readRegulatorPublicKeyFile,
  readRegulatorShareFile,
  readSharedKeysFile,
  readThresholdPublicFile,
  RegulatorFileError,
  sharedKey,
  sharedKeyOf,
  splitRegulatorKey,
  writePartialFile,
  writeRegulatorKeyFile,
  writeRegulatorPublicKeyFile,
  writeRegulatorShareFile,
  writeSharedKeysFile,
  writeThresholdPublicFile,
} from "../../packages/zk/src/regulator";

describe("regulator files", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "regulator-files-"));
  const f = (name: string) => join(dir, name);
  const key = { epoch: 9, ...generateRegulatorKey() };
  const split = splitRegulatorKey(key.secret, 2, 3);
  const chunk = generateEphemeralKey();

  /** Copy `from` to `to` with one change; expect reading it to fail on `field`. */
  function refused(
    from: string,
    change: (j: Record<string, unknown>) => void,
    read: (p: string) => unknown,
    field: string,
    problem: RegExp,
  ) {
    const j = JSON.parse(readFileSync(f(from), "utf8")) as Record<string, unknown>;
    change(j);
    const path = f(`edited-${from}`);
    writeFileSync(path, JSON.stringify(j));
    let thrown: unknown;
    try {
      read(path);
    } catch (e) {
      thrown = e;
    }
    expect(thrown, field).to.be.instanceOf(RegulatorFileError);
    const e = thrown as RegulatorFileError;
    expect([e.path, e.field, e.category]).to.deep.equal([path, field, "input"]);
    expect(e.shortMessage).to.match(problem);
  }

  before(() => {
    writeRegulatorKeyFile(f("key.json"), key);
    writeRegulatorPublicKeyFile(f("pub.json"), { epoch: 9, public: key.public });
    writeRegulatorShareFile(f("share.json"), { ...split.shares[1], epoch: 9 });
    writeThresholdPublicFile(f("commitments.json"), { ...split.public, epoch: 9 });
  });

  it("round-trips the key (mode 0600), public key, share (0600) and commitments files", () => {
    expect(readRegulatorKeyFile(f("key.json"))).to.deep.equal(key);
    expect(statSync(f("key.json")).mode & 0o777).to.equal(0o600);
    expect(statSync(f("share.json")).mode & 0o777).to.equal(0o600);
    expect(readRegulatorPublicKeyFile(f("pub.json"))).to.deep.equal({ epoch: 9, public: key.public });
    expect(readRegulatorShareFile(f("share.json"))).to.deep.equal({ ...split.shares[1], epoch: 9 });
    expect(readThresholdPublicFile(f("commitments.json"))).to.deep.equal({ ...split.public, epoch: 9 });
    expect(readThresholdPublicFile(f("share.json"))).to.deep.equal({ ...split.public, epoch: 9 });
  });

  it("a batch's partials and combined keys round-trip, and the keys are s·E", () => {
    const files = [0, 2].map((t) => {
      const path = f(`partial-${t + 1}.json`);
      writePartialFile(path, partialDecryptBatch({ ...split.shares[t], epoch: 9 }, [chunk.public]));
      return { path, partial: readPartialFile(path) };
    });
    const keys = combinePartialFiles({ ...split.public, epoch: 9 }, files);
    writeSharedKeysFile(f("keys.json"), keys);
    expect(statSync(f("keys.json")).mode & 0o777).to.equal(0o600);
    const read = readSharedKeysFile(f("keys.json"));
    expect(read).to.deep.equal(keys);
    expect(sharedKeyOf(read, chunk.public)).to.deep.equal(sharedKey(key.secret, chunk.public));
  });

  it("refuses each malformed field, naming it", () => {
    refused("key.json", (j) => (j.version = 2), readRegulatorKeyFile, "version", /is 2, not 1/);
    refused("key.json", (j) => (j.kind = "x"), readRegulatorKeyFile, "kind", /not "clearhouse.regulator-key"/);
    refused("key.json", (j) => (j.epoch = -1), readRegulatorKeyFile, "epoch", /not an integer/);
    refused("key.json", (j) => (j.secret = "0x00"), readRegulatorKeyFile, "secret", /not a scalar in \[1, l−1\]/);
    refused("key.json", (j) => (j.secret = 5), readRegulatorKeyFile, "secret", /not a 0x-hex or decimal number/);
    refused(
      "key.json",
      (j) => (j.public = { x: "0x01", y: "0x01" }),
      readRegulatorKeyFile,
      "public",
      /not secret·Base8/,
    );
    refused("pub.json", (j) => (j.public = { x: "0x00", y: "0x01" }), readRegulatorPublicKeyFile, "public", /identity/);
    refused("share.json", (j) => (j.index = 4), readRegulatorShareFile, "index", /not an integer in \[1, 3\]/);
    refused("share.json", (j) => (j.k = 4), readRegulatorShareFile, "k", /not an integer in \[2, 3\]/);
    refused("share.json", (j) => (j.index = 1), readRegulatorShareFile, "share", /not the share committed to as S_1/);
    refused(
      "share.json",
      (j) => ((j.commitments as unknown[])[2] = { index: 3, ...pubOf("pub.json") }),
      readRegulatorShareFile,
      "commitments",
      /S_3 is not on the polynomial/,
    );
    refused("commitments.json", (j) => (j.public = "nope"), readThresholdPublicFile, "public", /not a point/);
    refused(
      "commitments.json",
      (j) => delete j.commitments,
      readThresholdPublicFile,
      "commitments",
      /not a non-empty list/,
    );
    writeFileSync(f("eph.json"), JSON.stringify({ ephemeral: [{ x: "0x01" }] }));
    expect(() => readEphemeralsFile(f("eph.json")))
      .to.throw(RegulatorFileError, /`ephemeral\[0\]\.y` is undefined, not a 0x-hex or decimal number/)
      .with.property("field", "ephemeral[0].y");
    writeFileSync(f("not-json.json"), "{");
    expect(() => readRegulatorKeyFile(f("not-json.json"))).to.throw(RegulatorFileError, /cannot be read as JSON/);
  });

  /** The `public` field of a file written above. */
  const pubOf = (name: string) =>
    (JSON.parse(readFileSync(f(name), "utf8")) as { public: { x: string; y: string } }).public;
});
