/**
 * Starts a private code-server for one test run: free port on 127.0.0.1, no auth, its own user-data, extensions,
 * XDG config/data, HOME and TMPDIR under one temp folder (nothing is written outside it), and the server in its own
 * process group so stopping it also stops the extension host and anything the extension spawned.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, createWriteStream, cpSync, readFileSync, existsSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { E2ETools } from './tools';

const execFileAsync = promisify(execFile);

export interface CodeServerOptions {
  tools: E2ETools;
  /** Folders copied into the workspace (the originals are never touched). Keys are names inside the workspace. */
  workspaceFiles?: Record<string, string>;
  /** Empty folders created in the workspace before start (relative paths). */
  workspaceDirs?: string[];
  /** A .vsix to install before start (`--install-extension`). */
  vsix?: string;
  /** Start the workbench's smoke-test driver (needed for the `payload` URL parameter that runs extension tests). */
  smokeTestDriver?: boolean;
  /** Extra environment for the server and so for the extension host (e.g. where tests write their report). */
  env?: Record<string, string>;
  /** User settings written before start. */
  settings?: Record<string, unknown>;
  /** Keep the temp folder after stop (for debugging); default: removed unless BNN_E2E_KEEP=1. */
  keep?: boolean;
  /**
   * 'untrusted': workspace trust on, and the workspace opened in Restricted Mode without the startup prompt (as a
   * user who has not trusted a cloned repository sees it). Default: trust off, every workspace trusted.
   */
  workspaceTrust?: 'untrusted';
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Root of everything this run wrote. */
  runDir: string;
  /** The workspace folder opened in the workbench. */
  workspace: string;
  /** Server stdout+stderr, appended as it runs. */
  logFile: string;
  /** URL of the workbench with the workspace open and optional extra query parameters (e.g. payload). */
  workbenchUrl(extra?: Record<string, string>): string;
  /** A `vscode-remote://` URI for a path on the server (what the `payload` parameter expects). */
  remoteUri(p: string): string;
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** Every server started and not yet stopped; killed on process exit so a crashed test run leaves nothing behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) killGroup(c, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of live) killGroup(c, 'SIGKILL');
      process.exit(130);
    });
  }
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'bnn-e2e-'));
  const dirs = {
    userData: path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
    config: path.join(runDir, 'xdg-config'),
    data: path.join(runDir, 'xdg-data'),
    cache: path.join(runDir, 'xdg-cache'),
    home: path.join(runDir, 'home'),
    tmp: path.join(runDir, 'tmp'),
    workspace: path.join(runDir, 'workspace'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  for (const [name, src] of Object.entries(opts.workspaceFiles ?? {})) {
    cpSync(src, path.join(dirs.workspace, name), { recursive: true });
  }
  for (const d of opts.workspaceDirs ?? []) mkdirSync(path.join(dirs.workspace, d), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    // 200 test samples keep an emulated-board run under a minute (the default 1,000 is what users get).
    'bnnStudio.device.samples': 200,
    ...(opts.workspaceTrust === 'untrusted' ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : {}),
    ...opts.settings,
  };
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2)));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp,
    // The repo's Node may be older than the server's; make sure nothing the server spawns picks the wrong one.
    PATH: `${path.dirname(opts.tools.node)}${path.delimiter}${process.env.PATH ?? ''}`,
    ...opts.env,
  };
  // A developer's own code-server settings must not leak in.
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;

  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  if (opts.vsix) {
    await execFileAsync(opts.tools.node, [opts.tools.codeServerEntry, ...common, '--install-extension', opts.vsix], { env, timeout: 120_000 });
  }

  const port = await freePort();
  const args = [
    opts.tools.codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    ...common,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust === 'untrusted' ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (opts.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(dirs.workspace);

  const logFile = path.join(runDir, 'code-server.log');
  const logStream = createWriteStream(logFile);
  const child = spawn(opts.tools.node, args, { env, cwd: dirs.workspace, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(logStream, { end: false });
  child.stderr?.pipe(logStream, { end: false });
  installExitHook();
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const origin = `http://127.0.0.1:${port}`;
  const readLog = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(child, 'SIGTERM');
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    // The extension host and its children share the group; make sure none outlives the server.
    killGroup(child, 'SIGKILL');
    live.delete(child);
    logStream.end();
    if (!(opts.keep || process.env.BNN_E2E_KEEP === '1')) rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
  };

  // Ready when /healthz answers; give up (with the server's own words) if it dies or takes over a minute.
  const deadline = Date.now() + 60_000;
  let alive = true;
  child.once('exit', () => (alive = false));
  while ((await httpStatus(`${origin}/healthz`)) !== 200) {
    if (!alive || Date.now() > deadline) {
      const log = readLog();
      await stop();
      throw new Error(`code-server did not start on ${origin} (${alive ? 'timeout' : 'exited'}). Its output:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    port,
    origin,
    runDir,
    workspace: dirs.workspace,
    logFile,
    workbenchUrl(extra = {}) {
      const q = new URLSearchParams({ folder: dirs.workspace, ...extra });
      return `${origin}/?${q.toString()}`;
    },
    remoteUri(p: string) {
      return `vscode-remote://127.0.0.1:${port}${p}`;
    },
    log: readLog,
    stop,
  };
}

/**
 * The workbench's own logs (extension host, and every extension's output channel such as "BNN Studio") live in the
 * run's user-data folder, which is deleted at stop: keep a copy next to the screenshots.
 */
export function saveWorkbenchLogs(runDir: string, artifactsDir: string): void {
  const logs = path.join(runDir, 'user-data', 'logs');
  if (existsSync(logs)) cpSync(logs, path.join(artifactsDir, 'logs'), { recursive: true });
}
