import type { ProgressEvent } from '@llm-lens/executor';
import { formatMs, formatRate } from './format.js';

/**
 * A single live status line on a terminal, redrawn in place. On anything that is not a
 * TTY it prints nothing: logs and CI output stay clean.
 */
export class ProgressLine {
  private active = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    /** False off a terminal: then nothing is drawn, and the run need not report progress. */
    readonly enabled: boolean = stream.isTTY === true && process.stdout.isTTY === true,
  ) {}

  update(event: ProgressEvent): void {
    if (!this.enabled) return;
    const run =
      event.repeat === undefined ? '' : `run ${event.repeat.index}/${event.repeat.count} `;
    const pair = `${run}${event.pairCount > 1 ? `[${event.pairIndex}/${event.pairCount}] ` : ''}`;
    const phase = event.phase === 'warmup' ? 'warm-up ' : '';
    const ttft = event.p50TtftMs === null ? '' : `  p50 TTFT ${formatMs(event.p50TtftMs)} ms`;
    const errors = event.failed > 0 ? `  errors ${event.failed}` : '';
    const stopping = event.stopping ? '  stopping (Ctrl-C again to cancel now)' : '';
    const count = Number.isFinite(event.total)
      ? `${event.done}/${event.total}`
      : `${event.done} done`;
    const time =
      event.durationS === null
        ? ''
        : `  ${Math.min(event.elapsedS, event.durationS).toFixed(0)}/${event.durationS} s`;
    const line = `${pair}${event.provider}/${event.model} ${event.scenario}  ${phase}${count}${time}  ${formatRate(event.requestsPerS)} req/s${ttft}${errors}${stopping}`;
    const width = this.stream.columns || 120; // 0 when the terminal reports no size
    this.stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, width - 1))}`);
    this.active = true;
  }

  /** Clears the line so the next output starts on a clean row. */
  clear(): void {
    if (!this.active) return;
    this.stream.write('\r\x1b[2K');
    this.active = false;
  }
}
