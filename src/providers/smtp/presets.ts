/**
 * Well-known SMTP submission endpoints, as data. A preset fills in host, port and TLS mode;
 * options given explicitly win. `{region}` is replaced by the `region` option (Amazon SES).
 */
export interface SmtpPreset {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (465); false means STARTTLS on a submission port (587). */
  readonly secure: boolean;
  /** Options the preset cannot work without, besides auth. */
  readonly needs?: readonly 'region'[];
}

export const SMTP_PRESETS = {
  gmail: { host: 'smtp.gmail.com', port: 465, secure: true },
  outlook: { host: 'smtp-mail.outlook.com', port: 587, secure: false },
  office365: { host: 'smtp.office365.com', port: 587, secure: false },
  sendgrid: { host: 'smtp.sendgrid.net', port: 587, secure: false },
  mailgun: { host: 'smtp.mailgun.org', port: 587, secure: false },
  ses: { host: 'email-smtp.{region}.amazonaws.com', port: 587, secure: false, needs: ['region'] },
  postmark: { host: 'smtp.postmarkapp.com', port: 587, secure: false },
} as const satisfies Record<string, SmtpPreset>;

export type SmtpPresetName = keyof typeof SMTP_PRESETS;

export const SMTP_PRESET_NAMES = Object.keys(SMTP_PRESETS) as [SmtpPresetName, ...SmtpPresetName[]];
