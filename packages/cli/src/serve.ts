import { Command } from "commander";
import { createServer, loadServeConfig } from "@clearhouse/server";
import { UsageError } from "./exit";
import { connect, type CliIo, type GlobalOptions } from "./options";
import { print } from "./output";

export function serveCommand(io: CliIo, globals: () => GlobalOptions): Command {
  return new Command("serve")
    .description("REST API, live event stream, signed webhooks and the auditor console over the deployment")
    .requiredOption(
      "--config <file>",
      "API keys, webhooks, delivery store, retries (YAML or JSON; see config/serve.example.yaml)",
    )
    .option("--port <port>", "HTTP port", "8080")
    .option("--host <host>", "interface", "127.0.0.1")
    .addHelpText(
      "after",
      "\nExample:\n  clearhouse serve --config config/serve.example.yaml --port 8080   # console on http://127.0.0.1:8080/?key=…",
    )
    .action(async (o: { config: string; port: string; host: string }) => {
      const g = globals();
      if (!/^\d+$/.test(o.port)) throw new UsageError(`--port "${o.port}" is not a port number.`);
      const config = loadServeConfig(o.config);
      // Where delivery state is, for the messages (a PostgreSQL URL without its password).
      const storeName =
        config.store.kind === "sqlite" ? config.store.path : config.store.url.replace(/:[^:@/]*@/, ":…@");
      const server = await createServer({ ch: connect(g, io, false), config });
      if (server.legacyImport.result === "imported" && !g.json)
        io.err(
          `imported ${server.legacyImport.deliveries} pending deliveries from ${config.outbox} into ${storeName} (the file is now ${config.outbox}.migrated)`,
        );
      if (server.legacyImport.result === "not-empty" && !g.json)
        io.err(`${config.outbox} left as it is: the delivery store ${storeName} already has state of its own`);
      await server.app.listen({ port: Number(o.port), host: o.host });
      server.feed.start();
      const url = `http://${o.host}:${o.port}/`;
      print(
        io,
        g,
        `Clearhouse API and console on ${url} (${server.feed.events.length} events so far, ${config.webhooks.length} webhook(s)); Ctrl-C stops`,
        {
          url,
          events: server.feed.events.length,
          webhooks: config.webhooks.length,
        },
      );
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      if (!g.json) io.err(`stopped; undelivered webhooks stay in ${storeName} for the next start`);
    });
}
