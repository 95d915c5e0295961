/*
 * SPDX-License-Identifier: Apache-2.0
 */
package com.clearhouse.besu;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ConsortiumRegistry's {@code check(address sender, address target, uint256 value, bytes data)}
 * (contracts/access/ConsortiumRegistry.sol) called with {@code eth_call} on the node's own JSON-RPC.
 * It returns {@code (bool allowed, Reason reason)}; the reason codes are the registry's
 * {@code IConsortiumRegistry.Reason} enum, in order (test/network/besuPlugin.test.ts checks both
 * the selector and the names against the contract).
 */
public final class RegistryCheck {

  /** keccak256("check(address,address,uint256,bytes)")[0..4]. */
  static final String CHECK_SELECTOR = "04c60533";

  /** IConsortiumRegistry.Reason, by code. */
  static final String[] REASONS = {
    "Allowed",
    "SenderNotMember",
    "SenderSuspended",
    "SenderRemoved",
    "SenderSanctioned",
    "TargetSanctioned",
    "CreationNotAllowed",
    "NativeValueNotAllowed",
    "RegistryPaused",
    "SenderWalletClosed",
    "SenderWalletBankInactive",
  };

  /** The registry's answer. */
  public record Verdict(boolean allowed, int reason) {
    /** The reason's name, or its number when the registry has a reason this plugin does not know. */
    public String reasonName() {
      return reason >= 0 && reason < REASONS.length ? REASONS[reason] : "reason " + reason;
    }
  }

  private static final Pattern RESULT = Pattern.compile("\"result\"\\s*:\\s*\"0x([0-9a-fA-F]*)\"");
  /** eth_syncing's result: false, or an object (the node is catching up). */
  private static final Pattern RAW_RESULT = Pattern.compile("\"result\"\\s*:\\s*(false|\\{)");
  private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*(\\{[^}]*\\})");

  private final HttpClient http;
  private final URI rpc;
  private final String registry;

  /**
   * @param rpc the node's own JSON-RPC URL (e.g. http://127.0.0.1:8545)
   * @param registry the ConsortiumRegistry proxy's address (0x + 40 hex digits)
   * @param timeout how long connecting may take (each decision has its own deadline)
   */
  public RegistryCheck(final URI rpc, final String registry, final Duration timeout) {
    if (!registry.matches("0x[0-9a-fA-F]{40}")) {
      throw new IllegalArgumentException("registry address must be 0x + 40 hex digits: " + registry);
    }
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.rpc = rpc;
    this.registry = registry.toLowerCase(Locale.ROOT);
  }

  /** One 32-byte ABI word of an address (0x-prefixed hex). */
  static String word(final String address) {
    return "0".repeat(24) + address.substring(2).toLowerCase(Locale.ROOT);
  }

  /** One 32-byte ABI word of an unsigned integer. */
  static String word(final BigInteger value) {
    final String hex = value.toString(16);
    return "0".repeat(64 - hex.length()) + hex;
  }

  /** The call data of check(sender, target, value, data); `data` is hex without 0x. */
  static String callData(final String sender, final String target, final BigInteger value, final String data) {
    final int length = data.length() / 2;
    final int padded = (length + 31) / 32 * 64;
    return "0x"
        + CHECK_SELECTOR
        + word(sender)
        + word(target)
        + word(value)
        + word(BigInteger.valueOf(4 * 32)) // the offset of `data`: after the four head words
        + word(BigInteger.valueOf(length))
        + data
        + "0".repeat(padded - data.length());
  }

  /** Decode check's return data: (bool allowed, uint8 reason), two words. */
  static Verdict decode(final String hex) {
    if (hex.length() < 128) {
      throw new IllegalStateException("check returned " + hex.length() / 2 + " bytes (is the registry address right?)");
    }
    final boolean allowed = new BigInteger(hex.substring(0, 64), 16).signum() != 0;
    final int reason = new BigInteger(hex.substring(64, 128), 16).intValueExact();
    return new Verdict(allowed, reason);
  }

  /**
   * Ask the registry about a transaction, unless the node is catching up or the block being built
   * or imported (the head's next) is below {@code fromBlock}: then it is permitted without asking
   * (a block already in the chain is never refused). All calls share the one {@code deadline}.
   *
   * @param sender 0x address
   * @param target 0x address; the zero address for a contract creation
   * @param value the transaction's value in wei
   * @param data the payload, hex without 0x
   * @param fromBlock the first block the rule applies to (0: all)
   * @param deadline when the answer must be in (System.nanoTime())
   * @return the verdict; {@code Verdict(true, 0)} when permitted without asking
   * @throws Exception when the node does not answer in time or the answer cannot be read
   */
  public Verdict check(
      final String sender,
      final String target,
      final BigInteger value,
      final String data,
      final long fromBlock,
      final long deadline)
      throws Exception {
    if (!"false".equals(call("eth_syncing", "[]", deadline, RAW_RESULT))) {
      return new Verdict(true, 0); // catching up: these blocks were accepted by the network already
    }
    if (fromBlock > 0) {
      final long head = new BigInteger(call("eth_blockNumber", "[]", deadline, RESULT), 16).longValueExact();
      if (head + 1 < fromBlock) {
        return new Verdict(true, 0);
      }
    }
    final String params =
        "[{\"to\":\"" + registry + "\",\"data\":\"" + callData(sender, target, value, data) + "\"},\"latest\"]";
    return decode(call("eth_call", params, deadline, RESULT));
  }

  /** One JSON-RPC call on the node, within what is left until `deadline`; its result by `pattern`. */
  private String call(final String method, final String params, final long deadline, final Pattern pattern)
      throws Exception {
    final long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new IllegalStateException("time budget spent before " + method);
    }
    final String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
    final HttpRequest request =
        HttpRequest.newBuilder(rpc)
            .timeout(Duration.ofNanos(left))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    final String answer = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    final Matcher error = ERROR.matcher(answer);
    if (error.find()) {
      throw new IllegalStateException(method + " failed: " + error.group(1));
    }
    final Matcher result = pattern.matcher(answer);
    if (!result.find()) {
      throw new IllegalStateException(method + " gave no result: " + answer);
    }
    return result.group(1);
  }
}
