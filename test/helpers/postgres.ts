/**
 * A throw-away PostgreSQL cluster for the tests: `initdb` in a temporary directory, `pg_ctl start`
 * on 127.0.0.1 and a free port (trust authentication, reachable from this machine only), databases
 * created on demand; `stop()` stops it and removes the directory. PostgreSQL refuses to run as
 * root, so under root the binaries run as the `postgres` user (who owns the directory). The
 * binaries are Debian's (`/usr/lib/postgresql/<version>/bin`, the newest there) or those in
 * `CLEARHOUSE_PG_BIN`; `.ci/run` installs them when they are missing. No PostgreSQL is not a skip:
 * it is a failure that says how to install it.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net";

/** A running throw-away cluster. */
export interface PgCluster {
  port: number;
  /** The data directory. */
  dir: string;
  /** A URL for database `name` (created by `createDatabase`). */
  url(name: string): string;
  /** Create an empty database; returns its URL. */
  createDatabase(name: string): string;
  /** Stop the server (`fast`: disconnects clients), keeping the data: `start()` brings it back. */
  pause(): void;
  /** Start it again on the same port and data. */
  start(): void;
  /** Stop it and remove its directory. */
  stop(): void;
}

/** The directory of PostgreSQL's server binaries (the newest Debian install, or CLEARHOUSE_PG_BIN). */
export function pgBinDir(): string {
  const override = process.env.CLEARHOUSE_PG_BIN;
  if (override) return override;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length)
    throw new Error(
      "PostgreSQL's server binaries are not installed (no /usr/lib/postgresql/*/bin/initdb): " +
        "run `apt-get install -y postgresql` (what .ci/run does) or set CLEARHOUSE_PG_BIN to the directory of initdb and pg_ctl.",
    );
  return join(root, versions[0], "bin");
}

const isRoot = () => process.getuid?.() === 0;

/** Run one of PostgreSQL's binaries, as `postgres` when we are root. */
function pg(bin: string, args: string[]): string {
  const exe = join(pgBinDir(), bin);
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", exe, ...args]] : [exe, args];
  try {
    return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string };
    throw new Error(`${bin} ${args.join(" ")} failed: ${err.stderr || err.stdout || err.message}`);
  }
}

const live = new Set<PgCluster>();
process.once("exit", () => {
  for (const c of live) c.stop();
});

/** Start a throw-away cluster on 127.0.0.1 (about 2 s). */
export async function startPostgres(): Promise<PgCluster> {
  const parent = mkdtempSync(join(tmpdir(), "clearhouse-pg-"));
  chmodSync(parent, 0o755);
  const dir = join(parent, "data");
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(parent, uid, gid);
  }
  pg("initdb", ["-D", dir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=60`;
  const start = () =>
    pg("pg_ctl", ["-D", dir, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  let running = false;
  const url = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  const cluster: PgCluster = {
    port,
    dir,
    url,
    createDatabase(name) {
      pg("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-qc", `CREATE DATABASE "${name}"`]);
      return url(name);
    },
    pause() {
      if (running) pg("pg_ctl", ["-D", dir, "-m", "fast", "-w", "stop"]);
      running = false;
    },
    start() {
      if (!running) start();
      running = true;
    },
    stop() {
      live.delete(cluster);
      if (running) {
        try {
          pg("pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"]);
        } catch {
          // already gone: nothing to stop
        }
      }
      running = false;
      rmSync(parent, { recursive: true, force: true });
    },
  };
  cluster.start();
  live.add(cluster);
  return cluster;
}
