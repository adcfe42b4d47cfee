// A throwaway PostgreSQL cluster for tests and benchmarks: Debian's server binaries, `initdb` in a temporary
// folder, a free port on 127.0.0.1, no Unix socket outside that folder. PostgreSQL refuses to run as root, so
// as root the cluster runs as the unprivileged `nobody`. `stop()` removes everything it created.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const DATABASE = 'mcp_warden';
const USER = 'warden';

/** The folder of Debian's PostgreSQL server binaries (the newest installed), or why there is none. */
export function findPostgres() {
  const override = process.env.MCP_WARDEN_PG_BIN;
  if (override)
    return existsSync(path.join(override, 'initdb')) ? { bin: override } : { missing: `MCP_WARDEN_PG_BIN=${override} has no initdb` };
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) return { missing: 'PostgreSQL is not installed (apt-get install -y postgresql; .ci/run does it)' };
  return { bin: path.join(root, versions[0], 'bin') };
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Root gets `nobody`; anyone else runs the cluster as themselves. */
function clusterUser() {
  if (process.getuid?.() !== 0) return {};
  const line = execFileSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).trim().split(':');
  return { uid: Number(line[2]), gid: Number(line[3]) };
}

/**
 * Starts a cluster and creates one database in it.
 * @param {{ durable?: boolean, settings?: Record<string, string> }} [options] durable: keep fsync on (benchmarks); tests turn it off.
 */
export async function startThrowawayPostgres(options = {}) {
  const found = findPostgres();
  if (!found.bin) throw new Error(found.missing);
  const user = clusterUser();
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-pg-'));
  const data = path.join(root, 'data');
  const sockets = path.join(root, 'sockets');
  mkdirSync(sockets);
  if (user.uid !== undefined) for (const folder of [root, sockets]) chownSync(folder, user.uid, user.gid);
  execFileSync(path.join(found.bin, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '--encoding=UTF8', '--no-sync', '--locale=C'], {
    stdio: 'ignore',
    ...user,
  });
  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: sockets,
    max_connections: '200',
    // Without fsync a commit still reaches the kernel before it is answered: it survives the server being
    // killed (the fault tests do that), not the machine losing power, which tests need not survive.
    ...(options.durable ? {} : { fsync: 'off', full_page_writes: 'off' }),
    ...options.settings,
  };
  let child;
  const launch = async () => {
    const args = ['-D', data, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
    child = spawn(path.join(found.bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...user });
    let log = '';
    child.stderr.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (let attempt = 0; attempt < 200; attempt++) {
      if (child.exitCode !== null) throw new Error(`postgres exited at start: ${log}`);
      const client = new pg.Client({ host: '127.0.0.1', port, user: USER, database: 'postgres' });
      try {
        await client.connect();
        await client.end();
        return { exited }; // wrapped: an async function returning the promise itself would wait for the exit
      } catch {
        await client.end().catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    child.kill('SIGKILL');
    throw new Error(`postgres did not accept connections within 10 s: ${log}`);
  };
  let { exited } = await launch();
  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const forget = () => child?.kill('SIGKILL');
  process.once('exit', forget);

  let databases = 0;
  return {
    url: `postgres://${USER}@127.0.0.1:${port}/${DATABASE}`,
    port,
    /** Another empty database in the same cluster: its URL. */
    async database() {
      const name = `${DATABASE}_${++databases}`;
      const client = new pg.Client({ host: '127.0.0.1', port, user: USER, database: 'postgres' });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return `postgres://${USER}@127.0.0.1:${port}/${name}`;
    },
    /** Kills the server as a crash would (no shutdown), leaving its data. */
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    /** Starts the server again on the same data and port. */
    async restart() {
      ({ exited } = await launch());
    },
    async stop() {
      process.off('exit', forget);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
