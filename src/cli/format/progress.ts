/** A one-line progress indicator on stderr, only when stderr is a TTY. */
import type { FullCheckProgress } from '../../monitoring/self-check-service.js';
import type { OutStream } from '../io.js';

export function progressReporter(stderr: OutStream): { onProgress?: (p: FullCheckProgress) => void; done(): void } {
  if (!stderr.isTTY) return { done: () => undefined };
  return {
    onProgress: (p) => {
      const mark = p.result.skipped ? '-' : p.result.success ? 'ok' : 'FAILED';
      stderr.write(`\r\u001b[2K[${p.done}/${p.total}] ${p.result.capability}/${p.result.provider} ${mark}`);
    },
    done: () => void stderr.write('\r\u001b[2K'),
  };
}
