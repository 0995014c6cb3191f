/**
 * The scheduler's clock, injectable so real processes can run a simulated day in a minute. Pure.
 *
 * An accelerated clock reads `origin + (real now − anchor) × speed`. Every instance configured with the
 * same origin, anchor and speed reads the same time (up to the skew of their real clocks, times speed),
 * whenever it was started.
 */
export type Clock = () => Date;

export type ClockSetting =
  | { readonly kind: 'system' }
  | {
      readonly kind: 'accelerated';
      readonly originMs: number;
      readonly anchorMs: number;
      readonly speed: number;
    };

export function clockOf(setting: ClockSetting, realNow: () => number = Date.now): Clock {
  if (setting.kind === 'system') return () => new Date(realNow());
  const { originMs, anchorMs, speed } = setting;
  return () => new Date(originMs + (realNow() - anchorMs) * speed);
}
