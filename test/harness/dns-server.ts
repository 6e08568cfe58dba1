/**
 * A small authoritative DNS server (dns2, UDP on 127.0.0.1, free port) with the zones the email
 * verifier needs: MX, null MX, A-only, no records, NXDOMAIN, SERVFAIL, REFUSED and a name that
 * never answers. `mode()` makes every query fail one way, for contract tests.
 */
import dns2 from 'dns2';

const { Packet } = dns2;

interface ZoneRecords {
  MX?: { exchange: string; priority: number }[];
  A?: string[];
  AAAA?: string[];
}

type DnsBehaviour = 'servfail' | 'refused' | 'hang';

const ZONES: Readonly<Record<string, ZoneRecords>> = {
  'mx.test': {
    MX: [
      { exchange: 'backup.mx.test', priority: 20 },
      { exchange: 'mail.mx.test', priority: 10 },
    ],
  },
  'mail.mx.test': { A: ['127.0.0.1'] },
  'backup.mx.test': { A: ['127.0.0.1'] },
  'nullmx.test': { MX: [{ exchange: '', priority: 0 }] },
  'mixed-null.test': {
    MX: [
      { exchange: '', priority: 0 },
      { exchange: 'mail.mx.test', priority: 10 },
    ],
  },
  'aonly.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
  'nomail.test': {},
  'gmail.com': { MX: [{ exchange: 'gmail-smtp-in.l.google.com', priority: 5 }] },
  'mailinator.com': { MX: [{ exchange: 'mail.mailinator.com', priority: 10 }] },
  'xn--bcher-kva.test': { MX: [{ exchange: 'mail.mx.test', priority: 10 }] },
  'smtp.test': { MX: [{ exchange: 'mx1.smtp.test', priority: 10 }] },
  'mx1.smtp.test': { A: ['127.0.0.1'] },
};

/** Names that misbehave whatever the mode. */
const BEHAVIOURS: Readonly<Record<string, DnsBehaviour>> = {
  'servfail.test': 'servfail',
  'refused.test': 'refused',
  'hang.test': 'hang',
};

export interface DnsTestServer {
  port: number;
  /** `127.0.0.1:<port>`, for `dns.servers`. */
  server: string;
  queries: { name: string; type: number }[];
  /** Every query misbehaves this way until `mode(undefined)`. */
  mode(behaviour: DnsBehaviour | undefined): void;
  /** Adds or replaces a zone (e.g. an MX pointing at a test SMTP server). */
  setZone(name: string, records: ZoneRecords): void;
  close(): Promise<void>;
}

const RCODE = { SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export async function startDnsServer(): Promise<DnsTestServer> {
  const zones = new Map<string, ZoneRecords>(Object.entries(ZONES));
  const queries: DnsTestServer['queries'] = [];
  let globalMode: DnsBehaviour | undefined;

  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const question = request.questions[0];
      if (!question) return;
      const name = question.name.toLowerCase();
      queries.push({ name, type: question.type });
      const behaviour = globalMode ?? BEHAVIOURS[name];
      if (behaviour === 'hang') return;
      const response = Packet.createResponseFromRequest(request);
      const zone = zones.get(name);
      if (behaviour) response.header.rcode = behaviour === 'servfail' ? RCODE.SERVFAIL : RCODE.REFUSED;
      else if (!zone) response.header.rcode = RCODE.NXDOMAIN;
      else response.answers.push(...answers(question.name, question.type, zone));
      void send(response).catch(() => undefined);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = addresses.udp!.port;
  return {
    port,
    server: `127.0.0.1:${port}`,
    queries,
    mode: (b) => void (globalMode = b),
    setZone: (name, records) => void zones.set(name, records),
    close: () => server.close(),
  };
}

function answers(name: string, type: number, zone: ZoneRecords): dns2.Packet.Resource[] {
  const base = { name, class: Packet.CLASS.IN, ttl: 60 };
  if (type === Packet.TYPE.MX) {
    return (zone.MX ?? []).map(
      (mx) => ({ ...base, type: Packet.TYPE.MX, exchange: mx.exchange, priority: mx.priority }) as dns2.Packet.Resource,
    );
  }
  if (type === Packet.TYPE.A) return (zone.A ?? []).map((address) => ({ ...base, type: Packet.TYPE.A, address }) as dns2.Packet.Resource);
  if (type === Packet.TYPE.AAAA)
    return (zone.AAAA ?? []).map((address) => ({ ...base, type: Packet.TYPE.AAAA, address }) as dns2.Packet.Resource);
  return [];
}
