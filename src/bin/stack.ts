#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { down, localStack, status, up } from '../stack/stack.ts';

const usage = 'usage: stack <up|down|status>';

async function main(): Promise<number> {
  const { positionals } = parseArgs({ allowPositionals: true, strict: true });
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const stack = localStack();
  switch (positionals[0]) {
    case 'up': {
      const began = Date.now();
      await up(stack, say);
      say(`stack up in ${((Date.now() - began) / 1000).toFixed(1)} s (home: ${stack.home})`);
      return 0;
    }
    case 'down':
      await down(stack, say);
      return 0;
    case 'status': {
      const rows = await status(stack);
      for (const row of rows) {
        say(
          `${row.name.padEnd(14)} ${row.healthy ? 'healthy' : row.pid ? 'unhealthy' : 'stopped'}  pid=${row.pid ?? '-'}  ${row.endpoint}  log=${row.log}`,
        );
      }
      return rows.every((r) => r.healthy) ? 0 : 3;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
