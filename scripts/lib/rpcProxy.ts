/**
 * An in-process EIP-1193 provider (Hardhat's embedded chain) served as a JSON-RPC node on
 * 127.0.0.1: what a separate process (an installed package, the compiled CLI) talks to in the
 * packaging test and the CLI benchmark.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface RpcRequest {
  id: number | string | null;
  method: string;
  params?: unknown[];
}

export interface RpcNode {
  url: string;
  close(): Promise<void>;
}

/** Serve `provider` over HTTP JSON-RPC (single and batch requests) on a free 127.0.0.1 port. */
export async function serveProvider(provider: Provider): Promise<RpcNode> {
  const answer = async (m: RpcRequest) => {
    try {
      return { jsonrpc: "2.0", id: m.id, result: await provider.request({ method: m.method, params: m.params }) };
    } catch (e) {
      return { jsonrpc: "2.0", id: m.id, error: { code: -32000, message: e instanceof Error ? e.message : String(e) } };
    }
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      let request: RpcRequest | RpcRequest[];
      try {
        request = JSON.parse(body) as RpcRequest | RpcRequest[];
      } catch {
        res.statusCode = 400;
        res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }));
        return;
      }
      void (Array.isArray(request) ? Promise.all(request.map(answer)) : answer(request)).then((result) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(result));
      });
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
