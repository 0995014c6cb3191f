import type { Producer } from 'kafkajs';
import type pg from 'pg';
import type { TopicCodec } from '../adapters/registry.ts';
import type { Command } from '../domain/command.ts';
import type { TopicDeclaration } from '../domain/topic.ts';

export interface CommandSink {
  readonly pool: pg.Pool;
  readonly producer: Producer;
  readonly codec: TopicCodec;
  readonly commands: TopicDeclaration;
}

const pageSize = 1000;

/**
 * Pages through rows keyed by URN (keyset pagination on `urn`, read only: `query.sql` takes `$1` = the
 * last URN of the previous page and `$2` = the page size, then `query.params` as `$3`…, and orders by urn) and sends the commands `commandOf`
 * makes of them, keyed by URN so the owning processor's instances each take their share. Returns how many
 * rows were read and commands sent. Used by the sweeps and by `steward policies`.
 */
// R is the shape the caller's SQL returns: named once, where the caller states it.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function fanOutCommands<R extends { urn: string }>(
  sink: CommandSink,
  query: { readonly sql: string; readonly params?: readonly unknown[] },
  commandOf: (row: R) => Command | readonly Command[] | null,
  progress: () => Promise<void> = () => Promise.resolve(),
): Promise<{ checked: number; sent: number }> {
  let after = '';
  let checked = 0;
  let sent = 0;
  for (;;) {
    const { rows } = await sink.pool.query<R>(query.sql, [after, pageSize, ...(query.params ?? [])]);
    checked += rows.length;
    const commands = rows.flatMap((row): readonly Command[] => {
      const made = commandOf(row);
      return made === null ? [] : 'id' in made ? [made] : made;
    });
    if (commands.length) {
      const messages = await Promise.all(
        commands.map(async (command) => ({
          key: command.urn,
          value: await sink.codec.encode(sink.commands, command),
        })),
      );
      await sink.producer.send({ topic: sink.commands.name, messages, acks: -1 });
      sent += commands.length;
    }
    await progress();
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return { checked, sent };
    after = last.urn;
  }
}
