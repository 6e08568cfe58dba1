/**
 * Bearer API keys: a key ring built from `server.apiKeys` and `server.adminKeys`, compared in
 * constant time (SHA-256 digests of equal length through crypto.timingSafeEqual, every key
 * checked, no early exit). A key never appears in a log, a response or an error; a caller is
 * known by the key's name, or by `key-<fingerprint>` for an unnamed key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayConfig } from '../config/schema.js';

export interface Identity {
  /** The key's configured name, `key-<8 hex of its SHA-256>` when unnamed, or `local` when auth is off. */
  name: string;
  admin: boolean;
}

type KeyEntry = GatewayConfig['server']['apiKeys'][number];

interface StoredKey {
  name: string;
  admin: boolean;
  digest: Buffer;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Identity used for every request when no key is configured (loopback only, see bind-guard). */
export const LOCAL_IDENTITY: Identity = Object.freeze({ name: 'local', admin: true });

export class KeyRing {
  private readonly keys: StoredKey[];

  constructor(apiKeys: readonly KeyEntry[], adminKeys: readonly KeyEntry[]) {
    this.keys = [...adminKeys.map((k) => stored(k, true)), ...apiKeys.map((k) => stored(k, false))];
  }

  static fromConfig(server: GatewayConfig['server']): KeyRing {
    return new KeyRing(server.apiKeys, server.adminKeys);
  }

  /** False when no key at all is configured: every request is `local` (allowed on loopback only). */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get hasAdminKeys(): boolean {
    return this.keys.some((k) => k.admin);
  }

  /** The identity of an `Authorization: Bearer <key>` header, or null when missing or unknown. */
  authenticate(header: string | undefined): Identity | null {
    if (!this.enabled) return LOCAL_IDENTITY;
    const token = bearerToken(header);
    if (token === null) return null;
    const presented = digest(token);
    let found: StoredKey | null = null;
    for (const key of this.keys) {
      // Every key is compared, so timing says nothing about which one (or whether one) matched.
      if (timingSafeEqual(presented, key.digest) && found === null) found = key;
    }
    return found ? { name: found.name, admin: found.admin } : null;
  }
}

function stored(entry: KeyEntry, admin: boolean): StoredKey {
  const key = typeof entry === 'string' ? entry : entry.key;
  const d = digest(key);
  const name = typeof entry === 'string' ? `key-${d.toString('hex').slice(0, 8)}` : entry.name;
  return { name, admin, digest: d };
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
