/** Well-known IMAP endpoints, as data. A preset fills host, port and TLS mode; explicit options win. */
export interface ImapPreset {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
}

export const IMAP_PRESETS = {
  gmail: { host: 'imap.gmail.com', port: 993, secure: true },
  outlook: { host: 'outlook.office365.com', port: 993, secure: true },
  office365: { host: 'outlook.office365.com', port: 993, secure: true },
  yahoo: { host: 'imap.mail.yahoo.com', port: 993, secure: true },
  icloud: { host: 'imap.mail.me.com', port: 993, secure: true },
} as const satisfies Record<string, ImapPreset>;

export type ImapPresetName = keyof typeof IMAP_PRESETS;

export const IMAP_PRESET_NAMES = Object.keys(IMAP_PRESETS) as [ImapPresetName, ...ImapPresetName[]];
