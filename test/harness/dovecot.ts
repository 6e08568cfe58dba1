/**
 * A real Dovecot IMAP server for tests: `/usr/sbin/dovecot -F -c <generated config>` in a temp
 * dir, listening on 127.0.0.1 on a free port, plain text (`ssl = no`), one passwd-file user with
 * a plain password, maildir under the temp dir. Runs unprivileged as the current user; when
 * the tests run as root, Dovecot's login/internal users are `dovenull`/`dovecot` and the mail
 * user is `nobody`, and the maildir is chowned to it.
 *
 * Availability: suites use `describe.skipIf(dovecotSkipReason())`; under CI a missing binary
 * makes `startDovecot()` throw in beforeAll, so the suite fails instead of skipping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from './free-port.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const DOVECOT_BIN = '/usr/sbin/dovecot';

export interface Dovecot {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly pass: string;
  readonly dir: string;
  /** Writes a message into the maildir (INBOX or `mailbox`), as Dovecot's LDA would. */
  deliver(raw: string, opts?: { mailbox?: string; internalDate?: Date; seen?: boolean }): Promise<void>;
  /** Removes a mailbox folder and its index (Dovecot then gives it a new UIDVALIDITY). */
  destroyMailbox(mailbox: string): Promise<void>;
  /** Stops the server (SIGTERM, waits for exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same mail. */
  restart(): Promise<void>;
  log(): Promise<string>;
  /** Stops it and removes the temp dir. */
  close(): Promise<void>;
}

/**
 * Why the Dovecot suites skip, or undefined when they run. Without the binary: under CI the
 * suites run anyway and fail in beforeAll (startDovecot throws); elsewhere they skip and the
 * reason is printed.
 */
export function dovecotSkipReason(): string | undefined {
  if (existsSync(DOVECOT_BIN) || process.env.CI) return undefined;
  const reason = `${DOVECOT_BIN} is missing (apt-get install -y dovecot-imapd); CI would fail here`;
  console.log(`skip: IMAP tests against Dovecot: ${reason}`);
  return reason;
}

function groupName(gid: number): string {
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [name, , id] = line.split(':');
    if (name && Number(id) === gid) return name;
  }
  return String(gid);
}

interface Identity {
  loginUser: string;
  internalUser: string;
  internalGroup: string;
  mailUid: number;
  mailGid: number;
}

function identity(): Identity {
  const me = userInfo();
  if (me.uid !== 0)
    return { loginUser: me.username, internalUser: me.username, internalGroup: groupName(me.gid), mailUid: me.uid, mailGid: me.gid };
  return { loginUser: 'dovenull', internalUser: 'dovecot', internalGroup: 'dovecot', mailUid: 65534, mailGid: 65534 };
}

function config(dir: string, port: number, id: Identity): string {
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = ${id.loginUser}
default_internal_user = ${id.internalUser}
default_internal_group = ${id.internalGroup}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
protocol imap {
  mail_max_userip_connections = 100
}
# No anvil-auth-penalty listener: the auth process then applies no growing delay after failed logins.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
}

async function waitForPort(port: number, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on 127.0.0.1:${port}`);
}

export async function startDovecot(opts: { user?: string; pass?: string } = {}): Promise<Dovecot> {
  if (!existsSync(DOVECOT_BIN))
    throw new Error(`Dovecot is required for the IMAP tests but ${DOVECOT_BIN} is missing: apt-get install -y dovecot-imapd`);
  const user = opts.user ?? 'gw';
  const pass = opts.pass ?? `Imap-${randomBytes(6).toString('hex')}`;
  const id = identity();
  const dir = await mkdtemp(join(tmpdir(), 'gw-dovecot-'));
  await chmod(dir, 0o755);
  const home = join(dir, 'mail', user);
  for (const d of ['run', 'state', 'mail', home]) await mkdir(d.startsWith('/') ? d : join(dir, d), { recursive: true });
  await chmod(join(dir, 'mail'), 0o755);
  const port = await freePort();
  await writeFile(join(dir, 'passwd'), `${user}:{PLAIN}${pass}:${id.mailUid}:${id.mailGid}::${home}\n`, { mode: 0o644 });
  const confPath = join(dir, 'dovecot.conf');
  await writeFile(confPath, config(dir, port, id));
  const owned = async (path: string): Promise<void> => {
    if (userInfo().uid === 0) await chown(path, id.mailUid, id.mailGid);
  };
  await owned(home);

  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const proc = spawn(DOVECOT_BIN, ['-F', '-c', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child = proc;
    try {
      await waitForPort(port, proc, Date.now() + 10_000);
    } catch (e) {
      proc.kill('SIGKILL');
      const log = await readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => '');
      throw new Error(`${(e as Error).message}\n${output}\n${log}`, { cause: e });
    }
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const mailboxDir = async (mailbox = 'INBOX'): Promise<string> => {
    const root = join(home, 'Maildir');
    const base = mailbox === 'INBOX' ? root : join(root, `.${mailbox}`);
    for (const d of [root, base, join(base, 'cur'), join(base, 'new'), join(base, 'tmp')]) {
      if (!existsSync(d)) {
        await mkdir(d, { recursive: true });
        await owned(d);
      }
    }
    return base;
  };

  let counter = 0;
  await start();
  return {
    host: '127.0.0.1',
    port,
    user,
    pass,
    dir,
    async deliver(raw, o = {}) {
      const base = await mailboxDir(o.mailbox);
      const name = `${Math.floor(Date.now() / 1000)}.M${++counter}P${process.pid}.gwtest`;
      const tmp = join(base, 'tmp', name);
      await writeFile(tmp, raw.replace(/\r?\n/g, '\n'));
      await owned(tmp);
      if (o.internalDate) await utimes(tmp, o.internalDate, o.internalDate);
      await rename(tmp, o.seen ? join(base, 'cur', `${name}:2,S`) : join(base, 'new', name));
    },
    async destroyMailbox(mailbox) {
      const base = join(home, 'Maildir', `.${mailbox}`);
      await rm(base, { recursive: true, force: true });
      const subs = join(home, 'Maildir', 'subscriptions');
      if (existsSync(subs))
        await writeFile(
          subs,
          (await readFile(subs, 'utf8'))
            .split('\n')
            .filter((l) => l !== mailbox)
            .join('\n'),
        );
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
    log: () => readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => ''),
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
