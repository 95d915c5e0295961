/*
 * SPDX-License-Identifier: Apache-2.0
 */
package com.clearhouse.besu;

import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

import org.hyperledger.besu.datatypes.Address;
import org.hyperledger.besu.datatypes.Transaction;
import org.hyperledger.besu.plugin.BesuPlugin;
import org.hyperledger.besu.plugin.ServiceManager;
import org.hyperledger.besu.plugin.services.PermissioningService;
import org.hyperledger.besu.plugin.services.PicoCLIOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * Transaction permissioning from the Clearhouse registry for Besu 25.3+ (which removed on-chain
 * permissioning in 25.6): a {@code TransactionPermissioningProvider} registered with Besu's
 * {@code PermissioningService} asks the registry's {@code check} for every transaction and refuses
 * one the registry does not allow, logging the reason code.
 *
 * <p>Besu consults the provider for its pool AND when it builds or imports a block
 * (TransactionValidationParams: processingBlock, mining and transactionPool all check permissions).
 * Hence: install it on every node with the same registry, or on none; and when the registry cannot
 * be asked (the RPC not up yet, a timeout, no registry at the address) the transaction is
 * permitted and a warning logged — refusing then would make this node reject a block every other
 * node accepted. The contracts (token, ledger, escrow) enforce membership themselves either way.
 *
 * <p>A block already in the chain must never be refused (a node full-syncing with the plugin would
 * stop at it for good): while the node catches up ({@code eth_syncing} not false) and for blocks
 * below {@code --plugin-clearhouse-from-block} (set it to the first block after the plugin is on
 * every node) every transaction is permitted without asking the registry.
 *
 * <p>Options: {@code --plugin-clearhouse-registry=<address>} (required to enable it),
 * {@code --plugin-clearhouse-rpc-url} (default http://127.0.0.1:8545: this node's own JSON-RPC),
 * {@code --plugin-clearhouse-timeout-ms} (default 2000: one decision's budget, all calls together),
 * {@code --plugin-clearhouse-from-block} (default 0).
 */
public class ClearhousePermissioningPlugin implements BesuPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(ClearhousePermissioningPlugin.class);
  private static final String ZERO = "0x0000000000000000000000000000000000000000";

  @Option(names = "--plugin-clearhouse-registry", description = "ConsortiumRegistry proxy address (enables the plugin)")
  String registry = null;

  @Option(names = "--plugin-clearhouse-rpc-url", description = "this node's JSON-RPC URL for eth_call")
  String rpcUrl = "http://127.0.0.1:8545";

  @Option(
      names = "--plugin-clearhouse-timeout-ms",
      description = "time budget of one decision (all its JSON-RPC calls), ms; past it the transaction is permitted")
  long timeoutMs = 2000;

  @Option(
      names = "--plugin-clearhouse-from-block",
      description = "first block the rule applies to: below it (blocks mined before the plugin) every transaction is permitted")
  long fromBlock = 0;

  private PermissioningService permissioning;

  @Override
  public String getName() {
    return "clearhouse-permissioning";
  }

  @Override
  public void register(final ServiceManager context) {
    context.getService(PicoCLIOptions.class).orElseThrow().addPicoCLIOptions("clearhouse", this);
    permissioning = context.getService(PermissioningService.class).orElseThrow();
  }

  @Override
  public void beforeExternalServices() {
    if (registry == null) {
      LOG.info("Clearhouse permissioning off (no --plugin-clearhouse-registry)");
      return;
    }
    final RegistryCheck registryCheck =
        new RegistryCheck(URI.create(rpcUrl), registry, Duration.ofMillis(timeoutMs));
    permissioning.registerTransactionPermissioningProvider(tx -> permitted(registryCheck, tx, fromBlock, timeoutMs));
    LOG.info("Clearhouse permissioning on: registry {} through {} from block {}", registry, rpcUrl, fromBlock);
  }

  /**
   * The registry's verdict on `tx`; permitted without asking while the node catches up or below
   * `fromBlock`, and (with a warning) when the verdict cannot be had within `budgetMs`.
   */
  static boolean permitted(
      final RegistryCheck registryCheck, final Transaction tx, final long fromBlock, final long budgetMs) {
    final Optional<? extends Address> to = tx.getTo();
    final String target = to.isPresent() ? to.get().toHexString() : ZERO;
    final BigInteger value = tx.getValue().getAsBigInteger();
    final String data = tx.getPayload().toUnprefixedHexString();
    try {
      final long deadline = System.nanoTime() + budgetMs * 1_000_000L;
      final RegistryCheck.Verdict verdict =
          registryCheck.check(tx.getSender().toHexString(), target, value, data, fromBlock, deadline);
      if (!verdict.allowed()) {
        LOG.info(
            "Clearhouse registry refuses transaction {} from {} to {}: reason {} ({})",
            tx.getHash(),
            tx.getSender(),
            target,
            verdict.reason(),
            verdict.reasonName());
      }
      return verdict.allowed();
    } catch (final Exception e) {
      LOG.warn("Clearhouse registry check failed for {}; permitting it: {}", tx.getHash(), e.getMessage());
      return true;
    }
  }

  @Override
  public void start() {}

  @Override
  public void stop() {}
}
