// A small spawn wrapper for pipeline steps: runs one command (no shell) and returns its exit code,
// output and duration. Injectable (type Exec) so tests fake commands instead of running them.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface ExecOptions {
  /** Working directory. Default: the current directory. */
  cwd?: string;
  /** Environment. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Kill the command (SIGTERM, then SIGKILL 2 s later) after this many ms; it then exits 124. */
  timeoutMs?: number;
  /** Kill the command when this signal aborts; it then exits 130. */
  signal?: AbortSignal;
  /** Called with every chunk of output as it arrives (to stream a long step to the console). */
  echo?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExecResult {
  /** Exit code: the command's own; 127 when it could not be started (not installed); 124 after a
   *  timeout; 130 when aborted; 128 + signal number when a signal ended it. */
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit, in ms. */
  duration_ms: number;
  /** Why the command did not run to its own exit, when it did not. */
  failure?: 'not-found' | 'spawn-error' | 'timeout' | 'aborted' | 'signal';
}

/** Runs one command; never throws for a command that fails or cannot start (see ExecResult.code). */
export type Exec = (command: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** Grace period between SIGTERM and SIGKILL when a command is stopped. */
const KILL_GRACE_MS = 2000;

/** Runs `command args` with spawn (no shell), collecting stdout and stderr as UTF-8. */
export const exec: Exec = (command, args, opts = {}) =>
  new Promise((resolve) => {
    const started = performance.now();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failure: ExecResult['failure'];
    let spawnMessage = '';
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;

    if (opts.signal?.aborted) {
      resolve({ code: 130, stdout: '', stderr: '', duration_ms: 0, failure: 'aborted' });
      return;
    }
    const child = spawn(command, [...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stop = (why: 'timeout' | 'aborted') => {
      if (settled || failure) return;
      failure = why;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timer = opts.timeoutMs ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;
    const onAbort = () => stop('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      opts.echo?.(chunk.toString('utf8'), 'stdout');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      opts.echo?.(chunk.toString('utf8'), 'stderr');
    });
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      const stderr = Buffer.concat(err).toString('utf8') + spawnMessage;
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        duration_ms: Math.round(performance.now() - started),
        ...(failure ? { failure } : {}),
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      // 'error' without 'close' happens when the command cannot be started at all.
      failure = error.code === 'ENOENT' ? 'not-found' : 'spawn-error';
      spawnMessage = `cannot run ${command}: ${error.message}\n`;
      finish(127);
    });
    child.on('close', (code, signal) => {
      if (failure === 'timeout') return finish(124);
      if (failure === 'aborted') return finish(130);
      if (signal) {
        failure = 'signal';
        const number = (constants.signals as Record<string, number | undefined>)[signal] ?? 0;
        return finish(128 + number);
      }
      finish(code ?? 1);
    });
  });

/** The command line as a user would type it, for reports and messages (arguments with spaces or
 *  shell metacharacters are single-quoted). */
export function commandLine(command: string, args: readonly string[] = []): string {
  return [command, ...args].map(quote).join(' ');
}

function quote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
