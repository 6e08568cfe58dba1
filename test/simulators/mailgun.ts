/**
 * Mailgun simulator (shared/providers-esp.md §2): `POST /v3/{domain}/messages` checked as the real
 * API checks it (Basic `api:<key>` else 401 plain `Forbidden`; the domain must live in this
 * simulator's region else 404 `Domain not found`; multipart or urlencoded; `from` and `to`
 * valid addresses; one of text/html/amp-html/template; at most 1000 recipients; `o:`/`h:`/`v:`/
 * `t:` at most 16 KB; `recipient-variables` JSON), answered `200 {"id":"<…>","message":"Queued.
 * Thank you."}`; `GET /v3/domains/{domain}`; `GET /` answers `Mailgun Magnificent API`.
 */
import { randomBytes } from 'node:crypto';
import { header, startHttpSim, type FailOptions, type HttpSim, type SimReply, type SimRequest } from './http-sim.js';

export const MG_KEY = 'key-mg-sim-3e8a71c9d2b4';
export const MG_DOMAIN = 'mg.example.com';

type MailgunMode = 'bad_key' | 'wrong_region' | 'domain_cap' | 'payment' | 'rate_limit' | 'server_error' | 'bad_gateway';

interface SentForm {
  domain: string;
  fields: [string, string][];
  files: { name: string; filename: string; size: number }[];
}

export interface MailgunSim extends HttpSim<MailgunMode> {
  sent(): SentForm[];
}

const EMAIL = /^(?:[^<>]*<)?([^<>@\s]+@[^<>@\s]+\.[^<>@\s]+)>?$/;
const json = (status: number, message: string): SimReply => ({ status, body: { message } });

export async function startMailgunSim(opts: { key?: string; domains?: string[] } = {}): Promise<MailgunSim> {
  const key = opts.key ?? MG_KEY;
  const domains = new Set(opts.domains ?? [MG_DOMAIN]);
  const sent: SentForm[] = [];
  const basic = `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;

  const handler = async (req: SimRequest): Promise<SimReply> => {
    if (req.method === 'GET' && req.path === '/') return { status: 200, body: 'Mailgun Magnificent API' };
    if (header(req, 'authorization') !== basic) return { status: 401, body: 'Forbidden' };
    const domainRoute = /^\/v[34]\/domains\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && domainRoute) {
      const d = decodeURIComponent(domainRoute[1]!);
      if (!domains.has(d)) return json(404, 'Domain not found');
      return {
        status: 200,
        body: {
          domain: {
            created_at: 'Wed, 10 Jul 2013 19:26:52 GMT',
            id: 'dom1',
            is_disabled: false,
            name: d,
            require_tls: false,
            skip_verification: false,
            smtp_login: `postmaster@${d}`,
            spam_action: 'disabled',
            state: 'active',
            type: 'custom',
            web_prefix: 'email',
            web_scheme: 'https',
            wildcard: false,
          },
          receiving_dns_records: [],
          sending_dns_records: [],
        },
      };
    }
    const send = /^\/v3\/([^/]+)\/messages$/.exec(req.path);
    if (!send) return { status: 404, body: '404 page not found' };
    if (req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    const domain = decodeURIComponent(send[1]!);
    if (!domains.has(domain)) return json(404, `Domain not found: ${domain}`);
    const type = header(req, 'content-type') ?? '';
    if (!type.startsWith('multipart/form-data') && !type.startsWith('application/x-www-form-urlencoded'))
      return json(400, 'Content-Type must be multipart/form-data or application/x-www-form-urlencoded');
    let form: FormData;
    try {
      form = await new Response(req.rawBody, { headers: { 'content-type': type } }).formData();
    } catch {
      return json(400, 'Failed to parse the form');
    }
    const fields: [string, string][] = [];
    const files: SentForm['files'] = [];
    form.forEach((value, name) => {
      if (typeof value === 'string') fields.push([name, value]);
      else files.push({ name, filename: value.name, size: value.size });
    });
    const all = (name: string): string[] => fields.filter(([n]) => n === name).flatMap(([, v]) => v.split(',').map((x) => x.trim()));
    const from = all('from');
    if (from.length !== 1 || !EMAIL.test(from[0]!)) return json(400, "'from' parameter is not a valid address. please check documentation");
    const to = all('to');
    if (to.length === 0) return json(400, "'to' parameter is missing");
    for (const kind of ['to', 'cc', 'bcc']) {
      if (!all(kind).every((a) => EMAIL.test(a)))
        return json(400, `'${kind}' parameter is not a valid address. please check documentation`);
    }
    if (to.length + all('cc').length + all('bcc').length > 1000) return json(400, 'Too many recipients: at most 1000 per message');
    if (!['text', 'html', 'amp-html', 'template'].some((f) => fields.some(([n]) => n === f)))
      return json(400, "Need at least one of 'text', 'html' or 'template' parameters specified");
    const optionBytes = fields.filter(([n]) => /^[ohvt]:/.test(n)).reduce((s, [n, v]) => s + n.length + v.length, 0);
    if (optionBytes > 16 * 1024) return json(400, 'The o:, h:, v: and t: parameters exceed 16 KB in total');
    const rv = fields.find(([n]) => n === 'recipient-variables')?.[1];
    if (rv !== undefined) {
      try {
        JSON.parse(rv);
      } catch {
        return json(400, "'recipient-variables' parameter is not a valid JSON");
      }
    }
    sent.push({ domain, fields, files });
    const id = `<${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}.${randomBytes(6).toString('hex').toUpperCase()}@${domain}>`;
    return { status: 200, body: { id, message: 'Queued. Thank you.' } };
  };

  const modes: Record<MailgunMode, (o: FailOptions) => { reply: SimReply }> = {
    bad_key: () => ({ reply: { status: 401, body: 'Forbidden' } }),
    domain_cap: (o) => ({
      reply: json(
        420,
        `Domain ${MG_DOMAIN} is not allowed to send: recipient limit exceeded, try again after ${new Date(Date.now() + (typeof o.inMs === 'number' ? o.inMs : 7_200_000)).toUTCString().replace('GMT', 'UTC')}`,
      ),
    }),
    // The domain lives in the other region: this host does not know it.
    wrong_region: () => ({ reply: json(404, `Domain not found: ${MG_DOMAIN}`) }),
    payment: () => ({ reply: json(402, 'Request Failed') }),
    rate_limit: () => ({ reply: { status: 429, headers: { 'retry-after': '30' }, body: { message: 'Too many requests' } } }),
    server_error: () => ({ reply: json(500, 'Internal Server Error') }),
    bad_gateway: () => ({
      reply: { status: 502, body: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } },
    }),
  };

  const sim = await startHttpSim<MailgunMode>(handler, modes);
  return {
    ...sim,
    get url() {
      return sim.url;
    },
    get requests() {
      return sim.requests;
    },
    sent: () => sent,
    reset() {
      sim.reset();
      sent.length = 0;
    },
  };
}
