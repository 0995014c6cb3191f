import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ownedPid } from '../../../src/stack/processes.ts';
import { down, type Stack } from '../../../src/stack/stack.ts';
import type { StackService } from '../../../src/stack/service.ts';

/** A service whose pid file we control; start/install are never called by down(). */
function fakeService(dir: string, marker: string): StackService {
  const fail = (): Promise<never> => Promise.reject(new Error('not used'));
  return {
    name: 'kafka',
    layout: { installDir: dir, dataDir: dir, logFile: join(dir, 'log'), pidFile: join(dir, 'kafka.pid') },
    endpoint: '127.0.0.1:1',
    ports: [],
    marker,
    startTimeoutMs: 1000,
    stopGraceMs: 2000,
    install: fail,
    start: fail,
    healthy: () => Promise.resolve(false),
  };
}

function sleeper(): { pid: number; alive: () => boolean; kill: () => void } {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  const pid = child.pid ?? 0;
  let exited = false;
  child.once('exit', () => (exited = true));
  return { pid, alive: () => !exited, kill: () => child.kill('SIGKILL') };
}

describe('stack down', () => {
  it('should leave alone an unrelated process whose pid a stale pid file names, and remove the file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const unrelated = sleeper();
    t.after(() => unrelated.kill());
    const service = fakeService(dir, '-Dsteward.stack=kafka@/nowhere');
    writeFileSync(service.layout.pidFile, `${unrelated.pid}\n`);
    const said: string[] = [];
    const stack: Stack = { home: dir, services: [service] };

    await down(stack, (line) => said.push(line));

    assert.equal(unrelated.alive(), true, 'the unrelated process still runs');
    assert.equal(existsSync(service.layout.pidFile), false);
    assert.match(said.join('\n'), /stale pid file/);
  });

  it('should stop the process its pid file names when the command line carries the marker', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // A shell whose argv carries the marker (`; true` keeps bash from exec-ing sleep in its place).
    const marker = `marker-${process.pid}-${Date.now()}`;
    const child = spawn('bash', ['-c', 'sleep 300; true', marker], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    t.after(() => child.kill('SIGKILL'));
    const service = fakeService(dir, marker);
    writeFileSync(service.layout.pidFile, `${child.pid ?? 0}\n`);
    assert.equal(ownedPid(service.layout.pidFile, marker), child.pid);

    await down({ home: dir, services: [service] }, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));

    assert.equal(exited, true);
    assert.equal(existsSync(service.layout.pidFile), false);
  });
});
