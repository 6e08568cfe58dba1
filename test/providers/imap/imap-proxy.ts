/**
 * A TCP proxy in front of Dovecot that can misbehave on demand: hang (accept, never answer),
 * refuse (close at once), drop the connection in the middle of a FETCH response, answer the
 * mailbox selection with Microsoft 365's throttling reply, or refuse the login.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

type ProxyMode = 'pass' | 'hang' | 'refuse' | 'drop-mid-fetch' | 'throttle' | 'refuse-login';

export interface ImapProxy {
  port: number;
  mode: ProxyMode;
  /** FETCH responses cut so far. */
  drops: number;
  close(): Promise<void>;
}

export async function startImapProxy(upstreamPort: number): Promise<ImapProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): Socket => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    return s;
  };
  const state: ImapProxy = { port: 0, mode: 'pass', drops: 0, close: async () => undefined };
  const server = createServer((client) => {
    track(client);
    if (state.mode === 'hang') return;
    if (state.mode === 'refuse') return void client.destroy();
    const upstream = track(connect(upstreamPort, '127.0.0.1'));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const select = /^(\S+) (EXAMINE|SELECT) /m.exec(text);
      if (state.mode === 'throttle' && select)
        return void client.write(`${select[1]} BAD Request is throttled. Suggested Backoff Time: 200 milliseconds\r\n`);
      const login = /^(\S+) (LOGIN|AUTHENTICATE) /m.exec(text);
      if (state.mode === 'refuse-login' && login)
        return void client.write(`${login[1]} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const at = chunk.indexOf(' FETCH (');
      if (state.mode === 'drop-mid-fetch' && at >= 0) {
        state.drops++;
        client.write(chunk.subarray(0, at + Math.floor((chunk.length - at) / 2)), () => end());
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
