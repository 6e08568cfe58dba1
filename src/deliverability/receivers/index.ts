/** The one map of receiver types (`deliverability.receivers[].type`) to their implementations. */
import type { ReceiverConfig } from '../../config/schema.js';
import type { Logger } from '../../core/logger.js';
import { MailgunReceiver } from './mailgun.js';
import { PostmarkReceiver } from './postmark.js';
import type { MailEventReceiver } from './receiver.js';
import { SendGridReceiver } from './sendgrid.js';
import { SesSnsReceiver } from './ses-sns.js';
import { StandardWebhookReceiver } from './standard.js';

export type { InboundWebhook, MailEventReceiver } from './receiver.js';

export function createReceiver(config: ReceiverConfig, logger: Logger): MailEventReceiver {
  switch (config.type) {
    case 'sendgrid':
      return new SendGridReceiver(config);
    case 'mailgun':
      return new MailgunReceiver(config);
    case 'ses':
      return new SesSnsReceiver({ ...config, logger });
    case 'postmark':
      return new PostmarkReceiver(config);
    case 'standard':
      return new StandardWebhookReceiver(config);
  }
}
