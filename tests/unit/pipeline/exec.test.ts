// scripts/lib/exec.ts: exit codes, output, a missing command, timeouts and aborts, and command lines.
import { describe, expect, it } from 'vitest';
import { commandLine, exec } from '../../../scripts/lib/exec.ts';

describe('exec', () => {
  it('returns the exit code, both outputs and the duration', async () => {
    const r = await exec(process.execPath, [
      '-e',
      'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)',
    ]);
    expect(r).toMatchObject({ code: 3, stdout: 'out', stderr: 'err' });
    expect(r.duration_ms).toBeGreaterThanOrEqual(0);
    expect(r.failure).toBeUndefined();
  });

  it('reports a command that is not installed as exit 127, not-found', async () => {
    const r = await exec('knhk-no-such-command', ['--version']);
    expect(r).toMatchObject({ code: 127, failure: 'not-found' });
    expect(r.stderr).toMatch(/cannot run knhk-no-such-command: .*ENOENT/);
  });

  it('stops a command at its timeout (exit 124)', async () => {
    const r = await exec(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 200 });
    expect(r).toMatchObject({ code: 124, failure: 'timeout' });
  });

  it('stops a command when its signal aborts (exit 130)', async () => {
    const controller = new AbortController();
    const run = exec(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await run).toMatchObject({ code: 130, failure: 'aborted' });
  });

  it('streams output as it arrives', async () => {
    const chunks: string[] = [];
    await exec(process.execPath, ['-e', 'console.log("a"); console.error("b")'], {
      echo: (chunk, stream) => chunks.push(`${stream}:${chunk.trim()}`),
    });
    expect(chunks.sort()).toEqual(['stderr:b', 'stdout:a']);
  });

  it('passes cwd and env', async () => {
    const r = await exec(process.execPath, ['-e', 'console.log(process.cwd(), process.env.KNHK_X)'], {
      cwd: '/',
      env: { KNHK_X: 'y' },
    });
    expect(r.stdout.trim()).toBe('/ y');
  });
});

describe('commandLine', () => {
  it.each([
    [['make', ['-C', 'native', '-B']], 'make -C native -B'],
    [['npx', ['eslint', '.', '--format', 'json']], 'npx eslint . --format json'],
    [['echo', ['two words', "it's", '']], "echo 'two words' 'it'\\''s' ''"],
  ] as const)('shows %j as %s', ([command, args], want) => {
    expect(commandLine(command, args)).toBe(want);
  });
});
