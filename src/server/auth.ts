/**
 * Bearer API keys: a key ring built from `server.apiKeys` and `server.adminKeys`, compared in
 * constant time: the presented key and every configured key are zero-padded to the same fixed
 * size and compared with crypto.timingSafeEqual (plus their lengths), every key is checked and
 * there is no early exit, so timing says nothing about which key matched or how much of one.
 * A key never appears in a log, a response or an error; a caller is known by the key's name,
 * or by `key-<fingerprint>` for an unnamed key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayConfig } from '../config/schema.js';

export interface Identity {
  /** The key's configured name, `key-<8 hex of its SHA-256>` when unnamed, or `local` when auth is off. */
  name: string;
  admin: boolean;
}

type KeyEntry = GatewayConfig['server']['apiKeys'][number];

/** The longest key the config accepts, in bytes of UTF-8 (keys are ASCII in practice). */
const MAX_KEY_BYTES = 1024;

interface StoredKey {
  identity: Identity;
  /** The key's UTF-8 bytes, zero-padded to MAX_KEY_BYTES. */
  padded: Buffer;
  length: number;
}

/** Identity used for every request when no key is configured (loopback only, see bind-guard). */
const LOCAL_IDENTITY: Identity = Object.freeze({ name: 'local', admin: true });

export class KeyRing {
  private readonly keys: StoredKey[];
  /** The presented key, padded (one buffer reused: authentication is synchronous). */
  private readonly scratch = Buffer.alloc(MAX_KEY_BYTES);

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
    return this.keys.some((k) => k.identity.admin);
  }

  /** The identity of an `Authorization: Bearer <key>` header, or null when missing or unknown. */
  authenticate(header: string | undefined): Identity | null {
    if (!this.enabled) return LOCAL_IDENTITY;
    const token = bearerToken(header);
    if (token === null || Buffer.byteLength(token, 'utf8') > MAX_KEY_BYTES) return null;
    const presented = this.scratch;
    presented.fill(0);
    const length = presented.write(token, 'utf8');
    let found: Identity | null = null;
    for (const key of this.keys) {
      // Every key is compared in full, so timing says nothing about which one (or whether one) matched.
      const same = timingSafeEqual(presented, key.padded) && length === key.length;
      if (same && found === null) found = key.identity;
    }
    return found;
  }
}

function stored(entry: KeyEntry, admin: boolean): StoredKey {
  const key = typeof entry === 'string' ? entry : entry.key;
  const padded = Buffer.alloc(MAX_KEY_BYTES);
  const length = padded.write(key, 'utf8');
  const name = typeof entry === 'string' ? `key-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8)}` : entry.name;
  return { identity: Object.freeze({ name, admin }), padded, length };
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
