/**
 * Podman for the container test: whether it can run a container here, a Node.js 20 base image
 * made without a registry (Debian's minbase from deb.debian.org by debootstrap, plus this
 * machine's own Node.js, npm and headers, laid out as the official node image has them), and a
 * small `podman` runner. The registries these machines reach are npm's and Debian's only, so
 * `node:20-bookworm-slim` cannot be pulled; the Dockerfile takes the base as NODE_IMAGE.
 *
 * Podman runs as root inside a container here: runc (crun refuses the hybrid cgroups), no
 * default ulimits (raising RLIMIT_NOFILE is not permitted) and host networking.
 */
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BASE_IMAGE = 'localhost/aicmo-node20-base:bookworm';
export const IMAGE = 'localhost/aicmo-gateway:test';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const conf = join(mkdtempSync(join(tmpdir(), 'aicmo-podman-')), 'containers.conf');
writeFileSync(conf, '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n');
const ENV = { ...process.env, CONTAINERS_CONF: conf };

/** Runs podman; resolves with its output, rejects with its stderr. */
export function podman(args: string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('podman', args, { env: ENV, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`podman ${args.slice(0, 2).join(' ')} failed: ${stderr.slice(-4000) || error.message}`));
      else resolve(stdout);
    });
  });
}

/** Why podman cannot be used here (a tool missing, or it cannot build), or null when it can. */
export function containerSkipReason(): string | null {
  for (const tool of ['podman', 'runc', 'debootstrap']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install podman runc debootstrap)`;
    }
  }
  try {
    // An image from scratch: the engine builds here (no image is pulled). Running containers is
    // the test's own business: where it fails, the test fails.
    const dir = mkdtempSync(join(tmpdir(), 'aicmo-podman-probe-'));
    writeFileSync(join(dir, 'Containerfile'), 'FROM scratch\nCOPY probe /probe\n');
    writeFileSync(join(dir, 'probe'), 'probe\n');
    execFileSync('podman', ['build', '-q', '-t', 'localhost/aicmo-probe', dir], { env: ENV, stdio: 'ignore', timeout: 120_000 });
    rmSync(dir, { recursive: true, force: true });
    return null;
  } catch (error) {
    return `podman cannot build here: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** The gateway's image from the Dockerfile on the base image (its layers cached after the first build). */
export async function buildImage(): Promise<void> {
  await ensureBaseImage();
  await podman([
    'build',
    '--format',
    'docker',
    '--network',
    'host',
    '--build-arg',
    `NODE_IMAGE=${BASE_IMAGE}`,
    '--build-arg',
    'NODEDIR=/usr',
    '-t',
    IMAGE,
    ROOT,
  ]);
}

/** The base image, built once per machine (about a minute: debootstrap downloads some 40 MB). */
async function ensureBaseImage(): Promise<void> {
  if ((await podman(['images', '-q', BASE_IMAGE])).trim() !== '') return;
  const root = mkdtempSync(join(tmpdir(), 'aicmo-rootfs-'));
  try {
    await new Promise<void>((resolve, reject) =>
      execFile(
        'debootstrap',
        ['--variant=minbase', 'bookworm', root, 'http://deb.debian.org/debian'],
        { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
        (error, _out, stderr) => (error ? reject(new Error(`debootstrap failed: ${stderr.slice(-2000)}`)) : resolve()),
      ),
    );
    // This machine's Node.js, npm and headers, where the official image's layout has them under /usr.
    const prefix = dirname(dirname(process.execPath));
    cpSync(process.execPath, join(root, 'usr/bin/node'));
    cpSync(join(prefix, 'lib/node_modules/npm'), join(root, 'usr/lib/node_modules/npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/bin/npm'));
    cpSync(join(prefix, 'include/node'), join(root, 'usr/include/node'), { recursive: true });
    // The registry is reached through this machine's TLS interception: npm in the image trusts the
    // same certificates as npm here (the machine's setup, not the Dockerfile's).
    const bundle = '/etc/ssl/certs/ca-certificates.crt';
    if (existsSync(bundle)) {
      mkdirSync(join(root, 'usr/etc'), { recursive: true });
      mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
      cpSync(bundle, join(root, 'etc/ssl/certs/host-ca-certificates.crt'));
      writeFileSync(join(root, 'usr/etc/npmrc'), 'cafile=/etc/ssl/certs/host-ca-certificates.crt\n');
    }
    // The unprivileged user of the official image.
    appendFileSync(join(root, 'etc/passwd'), 'node:x:1000:1000::/home/node:/bin/sh\n');
    appendFileSync(join(root, 'etc/group'), 'node:x:1000:\n');
    cpSync(join(root, 'etc/skel'), join(root, 'home/node'), { recursive: true });
    execFileSync('chown', ['-R', '1000:1000', join(root, 'home/node')]);
    if (!existsSync(join(root, 'usr/bin/node'))) throw new Error('node was not copied into the base image');
    const tar = join(tmpdir(), `aicmo-rootfs-${process.pid}.tar`);
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    await podman(['import', '--change', 'CMD ["node"]', tar, BASE_IMAGE]);
    rmSync(tar, { force: true });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
