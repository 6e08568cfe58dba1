/**
 * A minimal SMTP client conversation over a raw socket: read multi-line replies, send one
 * command at a time. Used only for the RCPT probe (never DATA). Every wait is bounded by the
 * idle timeout and by the caller's AbortSignal.
 */
import { Socket, connect } from 'node:net';

export interface SmtpReply {
  code: number;
  /** Enhanced status code (`5.1.1`) when the server gave one. */
  enhanced?: string;
  text: string;
}

export class SmtpConversationError extends Error {
  override readonly name = 'SmtpConversationError';
  constructor(readonly reason: 'connect' | 'closed' | 'idle_timeout' | 'aborted' | 'protocol') {
    super(`SMTP conversation failed: ${reason}`);
  }
}

const MAX_BUFFER = 64 * 1024;

export class SmtpConversation {
  private buffer = '';
  private lines: string[] = [];
  private waiter: { resolve: (r: SmtpReply) => void; reject: (e: Error) => void } | undefined;
  private failed: SmtpConversationError | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly signal: AbortSignal,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => this.fail('closed'));
    socket.on('close', () => this.fail('closed'));
    socket.on('timeout', () => this.fail('idle_timeout'));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Connects and returns once the socket is open (the greeting is read with `read()`). */
  static open(host: string, port: number, idleTimeoutMs: number, signal: AbortSignal): Promise<SmtpConversation> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new SmtpConversationError('aborted'));
      const socket = connect({ host, port, timeout: idleTimeoutMs });
      const cleanup = (): void => {
        socket.off('connect', onConnect);
        socket.off('error', onError);
        socket.off('timeout', onError);
        signal.removeEventListener('abort', onAbortConnect);
      };
      const onConnect = (): void => {
        cleanup();
        resolve(new SmtpConversation(socket, signal));
      };
      const onError = (): void => {
        cleanup();
        socket.destroy();
        reject(new SmtpConversationError(signal.aborted ? 'aborted' : 'connect'));
      };
      const onAbortConnect = (): void => onError();
      socket.once('connect', onConnect);
      socket.once('error', onError);
      socket.once('timeout', onError);
      signal.addEventListener('abort', onAbortConnect, { once: true });
    });
  }

  read(): Promise<SmtpReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.drain();
    });
  }

  async command(line: string): Promise<SmtpReply> {
    if (this.failed) throw this.failed;
    this.socket.write(`${line}\r\n`);
    return this.read();
  }

  /** Says QUIT (without waiting long for the answer) and closes the socket. */
  async close(): Promise<void> {
    if (!this.failed) {
      this.socket.end('QUIT\r\n');
      this.socket.setTimeout(1_000);
    }
    this.signal.removeEventListener('abort', this.onAbort);
    this.socket.destroySoon();
  }

  private readonly onAbort = (): void => this.fail('aborted');

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_BUFFER) return this.fail('protocol');
    let i: number;
    while ((i = this.buffer.indexOf('\n')) >= 0) {
      this.lines.push(this.buffer.slice(0, i).replace(/\r$/, ''));
      this.buffer = this.buffer.slice(i + 1);
    }
    this.drain();
  }

  /** Hands a complete reply (lines up to one whose 4th character is not `-`) to the waiter. */
  private drain(): void {
    if (!this.waiter) return;
    const end = this.lines.findIndex((l) => l.length < 4 || l[3] !== '-');
    if (end < 0) return;
    const replyLines = this.lines.splice(0, end + 1);
    const code = Number(replyLines[0]!.slice(0, 3));
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!Number.isInteger(code) || code < 200 || code > 599) return waiter.reject(new SmtpConversationError('protocol'));
    const text = replyLines.map((l) => l.slice(4)).join('\n');
    const enhanced = /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1];
    waiter.resolve(enhanced ? { code, enhanced, text } : { code, text });
  }

  private fail(reason: SmtpConversationError['reason']): void {
    if (this.failed) return;
    this.failed = new SmtpConversationError(this.signal.aborted ? 'aborted' : reason);
    this.socket.destroy();
    this.signal.removeEventListener('abort', this.onAbort);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failed);
  }
}
