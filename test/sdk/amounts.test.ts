/**
 * The one amount parser (`toMinorUnits`) the CLI, the consortium file and the agreement templates
 * share: well-formed input in currency units, everything else refused naming the argument. The
 * vectors are those of docs/spec/amounts.md.
 */
import { expect } from "chai";
import fc from "fast-check";
import { InvalidArgumentError } from "../../packages/sdk/src/errors/base";
import { fromMinorUnits, toMinorUnits, utf8Length } from "../../packages/sdk/src/validate";

const ok = (text: string, decimals: number) => toMinorUnits("--amount", text, decimals);
const refused = (text: string, decimals: number): string => {
  try {
    toMinorUnits("--amount", text, decimals);
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidArgumentError);
    return (e as InvalidArgumentError).shortMessage;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
};

describe("amounts in currency units (toMinorUnits)", () => {
  it("accepts plain digits, a dot with at most the currency's decimals, and well-formed groups", () => {
    const accepted: [string, number, bigint][] = [
      ["1000", 2, 100_000n],
      ["1000.5", 2, 100_050n],
      ["0.05", 2, 5n],
      ["1,000", 2, 100_000n],
      ["1,000.00", 2, 100_000n],
      ["12,345,678.90", 2, 1_234_567_890n],
      ["1_000_000", 2, 100_000_000n],
      ["1 000.50", 2, 100_050n],
      ["  250.00 ", 2, 25_000n],
      ["123456789012345678901234.99", 2, 12345678901234567890123499n],
      ["7", 0, 7n],
      ["1,000", 0, 1_000n],
      ["1.123456", 6, 1_123_456n],
    ];
    for (const [text, decimals, minor] of accepted) expect(ok(text, decimals), text).to.equal(minor);
  });

  it("refuses misplaced separators, a comma decimal mark, signs and extra decimals (the first-week findings)", () => {
    const cases: [string, number, RegExp][] = [
      ["1,0,0.00", 2, /separators in the wrong places/], // sent 100.00 before
      ["1,000,00", 2, /separators in the wrong places/], // booked 100,000.00 before
      ["1,00", 2, /separators in the wrong places/],
      ["10,00.00", 2, /separators in the wrong places/],
      ["1,000_000", 2, /separators in the wrong places/], // two different separators
      [",100", 2, /separators in the wrong places/],
      ["1.000,00", 2, /comma as the decimal mark/],
      ["1.005", 2, /more than 2 decimal places/],
      ["1.5", 0, /more than 0 decimal places/],
      ["-1", 2, /is not a decimal amount/],
      ["+1", 2, /is not a decimal amount/],
      ["1e3", 2, /is not a decimal amount/],
      [".5", 2, /is not a decimal amount/],
      ["5.", 2, /is not a decimal amount/],
      ["", 2, /is not a decimal amount/],
      ["EUR 5", 2, /is not a decimal amount/],
      ["0x10", 2, /is not a decimal amount/],
      ["1..0", 2, /is not a decimal amount/],
    ];
    for (const [text, decimals, why] of cases) {
      const message = refused(text, decimals);
      expect(message, text).to.match(why);
      expect(message, text).to.include("--amount");
    }
  });

  it("round-trips every amount through fromMinorUnits (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (minor, decimals) => {
        const shown = fromMinorUnits(minor, decimals);
        expect(toMinorUnits("x", shown, decimals)).to.equal(minor);
        expect(toMinorUnits("x", shown.replace(/,/g, ""), decimals)).to.equal(minor);
      }),
      { numRuns: 300 },
    );
  });

  it("counts UTF-8 bytes without Node's Buffer (the SDK core runs in a browser)", () => {
    expect(utf8Length("abc")).to.equal(3);
    expect(utf8Length("€")).to.equal(3);
    expect(utf8Length("𝄞")).to.equal(4);
  });
});
