/**
 * A real SMTP server (smtp-server) on 127.0.0.1 for the smtp adapter tests: plain, STARTTLS
 * or implicit TLS, optional AUTH, armable replies per command and per recipient, a mode that
 * drops the connection once the message data is in, and a mode that never answers DATA.
 */
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface Reply {
  code: number;
  message: string;
}

interface Behaviour {
  connect?: Reply;
  /** Accept the connection and never send the greeting. */
  hangAtConnect?: boolean;
  auth?: Reply;
  mailFrom?: Reply;
  /** By recipient address (lower case). */
  rcpt?: Record<string, Reply>;
  data?: Reply;
  /** Read the whole message, then destroy the socket without replying. */
  dropAfterData?: boolean;
  /** Read the whole message, never reply. */
  hangAfterData?: boolean;
}

interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
  secure: boolean;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  behaviour: Behaviour;
  authAttempts: number;
  close(): Promise<void>;
}

export interface TestSmtpServerOptions {
  tls: 'none' | 'starttls' | 'implicit';
  cert?: { key: string; cert: string };
  auth?: { user: string; pass: string };
  /** Accept XOAUTH2 with this bearer token (for `auth.user`). */
  oauthToken?: string;
}

const fail = (r: Reply): Error => Object.assign(new Error(r.message), { responseCode: r.code });

export async function startSmtpServer(opts: TestSmtpServerOptions): Promise<TestSmtpServer> {
  const sockets = new Set<Socket>();
  const state: TestSmtpServer = { port: 0, received: [], behaviour: {}, authAttempts: 0, close: async () => undefined };
  const socketOf = (port: number): Socket | undefined => [...sockets].find((s) => s.remotePort === port);
  const options: SMTPServerOptions = {
    logger: false,
    secure: opts.tls === 'implicit',
    ...(opts.cert ? { key: opts.cert.key, cert: opts.cert.cert } : {}),
    disabledCommands: [...(opts.tls === 'none' ? ['STARTTLS'] : []), ...(opts.auth ? [] : ['AUTH'])],
    allowInsecureAuth: opts.tls === 'none',
    authOptional: !opts.auth,
    disableReverseLookup: true,
    ...(opts.oauthToken ? { authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'] } : {}),
    onConnect(_session, cb) {
      if (state.behaviour.hangAtConnect) return;
      cb(state.behaviour.connect ? fail(state.behaviour.connect) : null);
    },
    onAuth(auth, _session, cb) {
      state.authAttempts++;
      if (state.behaviour.auth) return cb(fail(state.behaviour.auth));
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      if (opts.oauthToken && auth.method === 'XOAUTH2' && auth.username === opts.auth?.user && auth.accessToken === opts.oauthToken)
        return cb(null, { user: auth.username });
      return cb(fail({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
    },
    onMailFrom(_address, _session, cb) {
      cb(state.behaviour.mailFrom ? fail(state.behaviour.mailFrom) : null);
    },
    onRcptTo(address, _session, cb) {
      const r = state.behaviour.rcpt?.[address.address.toLowerCase()];
      cb(r ? fail(r) : null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const b = state.behaviour;
        if (b.dropAfterData) return void socketOf(session.remotePort)?.destroy();
        if (b.hangAfterData) return;
        if (b.data) return cb(fail(b.data));
        simpleParser(raw).then(
          (parsed) => {
            state.received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              parsed,
              secure: session.secure,
            });
            cb(null, '250 2.0.0 queued as test');
          },
          (e: Error) => cb(e),
        );
      });
    },
  };
  const server = new SMTPServer(options);
  server.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
