// Builds what the native tests run: native/build/knhk (make) and static/wasm/knhk{,-simd}.{js,wasm}
// (wasm/build.sh). Both are idempotent and quick when up to date; flock serialises test files
// that build at the same time, so two workers never write the same object file.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const KNHK_BIN = join(ROOT, 'native/build/knhk');
export const WASM_GLUE = join(ROOT, 'static/wasm/knhk.js');
export const WASM_BINARY = join(ROOT, 'static/wasm/knhk.wasm');
/** The SIMD build (wasm-simd128 and portable variants); WASM_GLUE/WASM_BINARY hold portable only. */
export const WASM_SIMD_BINARY = join(ROOT, 'static/wasm/knhk-simd.wasm');
export const VECTOR_DIR = join(ROOT, 'tests/fixtures/vectors');

const LOCK_FILE = join(ROOT, 'native/Makefile');

function runLocked(command: string, args: string[]): void {
  try {
    execFileSync('flock', [LOCK_FILE, command, ...args], { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}

/** Makes native/build/knhk current (`make -C native`). */
export function ensureNativeBuilt(): void {
  runLocked('make', ['-C', join(ROOT, 'native'), '--no-print-directory']);
}

/** Makes static/wasm/knhk{,-simd}.{js,wasm} current (`bash wasm/build.sh`). */
export function ensureWasmBuilt(): void {
  runLocked('bash', [join(ROOT, 'wasm/build.sh')]);
}
