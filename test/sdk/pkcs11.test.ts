/**
 * Keys held in an HSM (PKCS#11) against a real token (SoftHSM2): the URI parser, keys generated in
 * the token and never extractable, signatures the chain and viem accept (low s, v recovered), and
 * each bad input refused with its own error before anything is signed.
 */
import { expect } from "chai";
import hre from "hardhat";
import { createRequire } from "node:module";
import { custom, parseGwei, recoverMessageAddress, serializeSignature, verifyTypedData, type Hex } from "viem";
import { createWalletClient, createPublicClient, defineChain } from "viem";
import type * as Pkcs11Js from "pkcs11js";
import {
  generatePkcs11Key,
  parsePkcs11Uri,
  pkcs11Account,
  toEthereumSignature,
  Pkcs11CurveError,
  Pkcs11ModuleError,
  Pkcs11ObjectExistsError,
  Pkcs11ObjectNotFoundError,
  Pkcs11PinError,
  Pkcs11SignatureError,
  Pkcs11TokenNotFoundError,
  Pkcs11UriError,
} from "../../packages/sdk/src/node/pkcs11";
import { requireSoftHsm, TOKENS, USER_PIN, type SoftHsm } from "../helpers/softhsm";

const hardhat = defineChain({
  id: 31337,
  name: "Hardhat",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("PKCS#11 URIs (RFC 7512)", () => {
  it("parses token, object, id, serial and module-path, percent-decoded", () => {
    expect(parsePkcs11Uri("pkcs11:token=bank;object=k1")).to.deep.equal({ token: "bank", object: "k1" });
    const u = parsePkcs11Uri(
      "pkcs11:token=Bank%20A%3Bx;object=settle%2D1;id=%01%ff;serial=42;type=private?module-path=/opt/hsm/lib%20x.so",
    );
    expect(u).to.deep.include({ token: "Bank A;x", object: "settle-1", serial: "42", modulePath: "/opt/hsm/lib x.so" });
    expect([...u.id!]).to.deep.equal([1, 255]);
    expect(parsePkcs11Uri("pkcs11:token=b;id=%0A").object).to.equal(undefined);
    expect(parsePkcs11Uri("PKCS11:token=b;object=k;slot-id=1;x-vendor=y").token).to.equal("b");
  });

  const bad: [string, RegExp][] = [
    ["token=b;object=k", /does not start with "pkcs11:"/],
    ["pkcs11:object=k", /names no token/],
    ["pkcs11:token=b", /names no key/],
    ["pkcs11:token=b;object=", /object= is empty/],
    ["pkcs11:token=b;object=k%2", /bad escape "%2"/],
    ["pkcs11:token=b;object=k%zz", /bad escape "%zz"/],
    ["pkcs11:token=b;object=a b", /space or '#'/],
    ["pkcs11:token=b;object=k;token=c", /"token" is given twice/],
    ["pkcs11:token=b;objekt=k", /unknown attribute "objekt"/],
    ["pkcs11:token=b;object", /"object" is not attribute=value/],
    ["pkcs11:token=b;object=k;type=cert", /type=cert names no signing key/],
    ["pkcs11:token=b;object=k?pin-value=1234", /must not be written in the URI/],
    ["pkcs11:token=b;object=k?pin-source=file:/p", /pin-source is not supported/],
    ["pkcs11:token=b;object=k?module-name=softhsm2", /module-name is not supported/],
    ["pkcs11:token=b;object=k?foo=1", /unknown query attribute "foo"/],
    ["pkcs11:token=%ff;object=k", /"token" is not UTF-8/],
    ["pkcs11:token=b;object=k/1", /characters to percent-encode/],
  ];
  for (const [uri, message] of bad)
    it(`refuses ${uri}`, () => {
      expect(() => parsePkcs11Uri(uri))
        .to.throw(Pkcs11UriError, message)
        .with.property("category", "input");
    });
});

describe("pkcs11Account against SoftHSM2", function () {
  this.timeout(60_000);
  let hsm: SoftHsm;
  let bankUri: string;

  before(function () {
    hsm = requireSoftHsm(this);
    bankUri = generatePkcs11Key({ token: TOKENS.bank, label: "sdk-bank", pin: USER_PIN, module: hsm.module }).uri;
    hsm.tool(TOKENS.bank, "--keypairgen", "--key-type", "EC:prime256v1", "--label", "p256");
    hsm.tool(TOKENS.bank, "--keypairgen", "--key-type", "EC:secp256k1", "--label", "by-tool");
    hsm.tool(TOKENS.bank, "--keypairgen", "--key-type", "rsa:2048", "--label", "rsa");
  });

  it("generates a key in the token that is sensitive, not extractable, and signs; its address is the public key's", async () => {
    const key = generatePkcs11Key({ token: TOKENS.bank, label: "fresh", pin: USER_PIN, module: hsm.module });
    expect(key.uri).to.equal(`pkcs11:token=${TOKENS.bank};object=fresh`);
    const account = pkcs11Account({ uri: key.uri, pin: USER_PIN, module: hsm.module });
    expect(account.address).to.equal(key.address);
    expect(account.source).to.equal("pkcs11");
    // read the private key's attributes with the module itself
    const lib = createRequire(__filename)("pkcs11js") as typeof Pkcs11Js;
    const mod = new lib.PKCS11();
    mod.load(hsm.module);
    try {
      mod.C_Initialize();
    } catch {
      /* already initialised by the account */
    }
    const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === TOKENS.bank)!;
    const session = mod.C_OpenSession(slot, lib.CKF_SERIAL_SESSION);
    mod.C_Login(session, lib.CKU_USER, USER_PIN);
    mod.C_FindObjectsInit(session, [
      { type: lib.CKA_CLASS, value: lib.CKO_PRIVATE_KEY },
      { type: lib.CKA_LABEL, value: "fresh" },
    ]);
    const [priv] = mod.C_FindObjects(session, 2);
    mod.C_FindObjectsFinal(session);
    const attrs = mod.C_GetAttributeValue(session, priv, [
      { type: lib.CKA_SENSITIVE },
      { type: lib.CKA_EXTRACTABLE },
      { type: lib.CKA_ALWAYS_SENSITIVE },
      { type: lib.CKA_NEVER_EXTRACTABLE },
      { type: lib.CKA_TOKEN },
    ]);
    expect(attrs.map((a) => a.value[0])).to.deep.equal([1, 0, 1, 1, 1]);
    expect(() => mod.C_GetAttributeValue(session, priv, [{ type: lib.CKA_VALUE }])).to.throw(/CKR_ATTRIBUTE_SENSITIVE/);
    mod.C_Logout(session);
    mod.C_CloseSession(session);
    expect(() => generatePkcs11Key({ token: TOKENS.bank, label: "fresh", pin: USER_PIN, module: hsm.module })).to.throw(
      Pkcs11ObjectExistsError,
    );
  });

  it("signs messages and typed data viem verifies, every s in the lower half (EIP-2)", async () => {
    for (const uri of [bankUri, `pkcs11:token=${TOKENS.bank};object=by-tool`]) {
      const account = pkcs11Account({ uri, pin: USER_PIN, module: hsm.module });
      for (let i = 0; i < 12; i++) {
        const message = `settle ${i}`;
        const signature = await account.signMessage({ message });
        expect(await recoverMessageAddress({ message, signature })).to.equal(account.address);
        expect(BigInt(`0x${signature.slice(66, 130)}`) <= N / 2n).to.equal(true);
        expect(["1b", "1c"]).to.include(signature.slice(130));
      }
      const typed = {
        domain: { name: "Clearhouse", version: "1", chainId: 31337 },
        types: { Ping: [{ name: "n", type: "uint256" }] },
        primaryType: "Ping" as const,
        message: { n: 7n },
      };
      const signature = await account.signTypedData(typed);
      expect(await verifyTypedData({ ...typed, address: account.address, signature })).to.equal(true);
    }
  });

  it("normalises a high s and finds v against the token's public key", async () => {
    const account = pkcs11Account({ uri: bankUri, pin: USER_PIN, module: hsm.module });
    const hash = `0x${"11".repeat(32)}` as Hex;
    const low = await account.sign({ hash });
    const r = low.slice(2, 66);
    const s = BigInt(`0x${low.slice(66, 130)}`);
    const high = Buffer.from(r + (N - s).toString(16).padStart(64, "0"), "hex");
    const publicKey = account.publicKey;
    expect(await toEthereumSignature("t", hash, high, publicKey)).to.equal(low);
    const other = `0x04${"00".repeat(64)}` as Hex;
    await expect(toEthereumSignature("t", hash, high, other)).to.be.rejectedWith(Pkcs11SignatureError);
    await expect(toEthereumSignature("t", hash, high.subarray(1), publicKey)).to.be.rejectedWith(/is 63 bytes/);
    expect(serializeSignature({ r: `0x${r}`, s: `0x${low.slice(66, 130)}`, yParity: 0 }).slice(0, 130)).to.equal(
      low.slice(0, 130),
    );
  });

  it("sends a transaction the chain accepts from the HSM's address", async () => {
    const account = pkcs11Account({ uri: bankUri, pin: USER_PIN, module: hsm.module });
    await hre.network.provider.send("hardhat_setBalance", [account.address, "0x56BC75E2D63100000"]);
    const transport = custom(hre.network.provider, { retryCount: 0 });
    const wallet = createWalletClient({ account, chain: hardhat, transport });
    const pub = createPublicClient({ chain: hardhat, transport });
    const nonce = await pub.getTransactionCount({ address: account.address });
    const to = "0x00000000000000000000000000000000000000aa";
    for (const type of ["eip1559", "legacy"] as const) {
      const hash = await wallet.sendTransaction(
        type === "legacy"
          ? { to, value: 1n, type, gasPrice: parseGwei("2") }
          : { to, value: 1n, type, maxFeePerGas: parseGwei("2"), maxPriorityFeePerGas: 1n },
      );
      const receipt = await pub.waitForTransactionReceipt({ hash });
      expect(receipt.status).to.equal("success");
      expect(receipt.from.toLowerCase()).to.equal(account.address.toLowerCase());
    }
    expect(await pub.getTransactionCount({ address: account.address })).to.equal(nonce + 2);
  });

  it("refuses each bad setup with its own input error, before signing anything", () => {
    const k = `pkcs11:token=${TOKENS.bank};object=sdk-bank`;
    const cases: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [
        () => pkcs11Account({ uri: k, pin: "0000", module: hsm.module }),
        Pkcs11PinError,
        /wrong PIN \(CKR_PIN_INCORRECT\)/,
      ],
      [() => pkcs11Account({ uri: k, pin: "", module: hsm.module }), Pkcs11PinError, /no PIN given/],
      [
        () => pkcs11Account({ uri: "pkcs11:token=nope;object=k", pin: USER_PIN, module: hsm.module }),
        Pkcs11TokenNotFoundError,
        /No PKCS#11 token "nope" \(tokens present: .*"ch-bank"/,
      ],
      [
        () => pkcs11Account({ uri: `pkcs11:token=${TOKENS.bank};object=ghost`, pin: USER_PIN, module: hsm.module }),
        Pkcs11ObjectNotFoundError,
        /holds no private key "ghost"/,
      ],
      [
        () => pkcs11Account({ uri: `pkcs11:token=${TOKENS.bank};object=p256`, pin: USER_PIN, module: hsm.module }),
        Pkcs11CurveError,
        /"p256" is a P-256 \(prime256v1\) key, not secp256k1/,
      ],
      [
        () => pkcs11Account({ uri: `pkcs11:token=${TOKENS.bank};object=rsa`, pin: USER_PIN, module: hsm.module }),
        Pkcs11CurveError,
        /"rsa" is not an EC key/,
      ],
      [
        () => pkcs11Account({ uri: k, pin: USER_PIN, module: "/nonexistent/libpkcs11.so" }),
        Pkcs11ModuleError,
        /module \/nonexistent\/libpkcs11.so does not exist/,
      ],
      [
        () => pkcs11Account({ uri: `${k}?module-path=/etc/hostname`, pin: USER_PIN, module: hsm.module }),
        Pkcs11ModuleError,
        /module \/etc\/hostname cannot be loaded/,
      ],
      [
        () => pkcs11Account({ uri: "pkcs11:token=;object=k", pin: USER_PIN, module: hsm.module }),
        Pkcs11UriError,
        /names no token/,
      ],
    ];
    for (const [run, type, message] of cases) {
      expect(run).to.throw(type, message).with.property("category", "input");
      try {
        run();
      } catch (e) {
        expect((e as { shortMessage: string }).shortMessage).not.to.include("\n");
      }
    }
    // the right PIN still works after wrong ones (SoftHSM2 keeps no retry counter that locks here)
    expect(pkcs11Account({ uri: k, pin: USER_PIN, module: hsm.module }).address).to.match(/^0x/);
  });
});
