/**
 * Real-looking mail for the Dovecot mailbox: messages this gateway "sent" (recorded in the
 * sent-mail log), human replies linked by In-Reply-To and by References, a subject-only reply,
 * an out-of-office auto-reply, a multipart/report bounce, and unrelated mail.
 */
import type { SentMailLog } from '../../../src/providers/types.js';

export const ORIGINAL = { messageId: '<gw.0a1b2c3d@gw.example>', subject: 'Quarterly offer', to: ['lead@example.com'] };
export const ORIGINAL_2 = { messageId: '<gw.99887766@gw.example>', subject: 'Webinar invite', to: ['gone@example.net'] };
export const ORIGINAL_3 = { messageId: '<gw.55443322@gw.example>', subject: 'Pricing sheet', to: ['buyer@example.org'] };

export async function recordOriginals(sentMail: SentMailLog): Promise<void> {
  for (const [i, o] of [ORIGINAL, ORIGINAL_2, ORIGINAL_3].entries()) {
    await sentMail.record({ ...o, provider: 'smtp_test', sentAt: Date.now() - 3_600_000 + i });
  }
}

const date = 'Tue, 10 Jun 2025 10:00:00 +0000';

export const REPLY = `From: Lead Person <lead@example.com>
To: Gateway <sender@gw.example>
Cc: boss@example.com
Subject: Re: Quarterly offer
Date: ${date}
Message-ID: <reply-1@example.com>
In-Reply-To: ${ORIGINAL.messageId}
References: ${ORIGINAL.messageId}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mix"

--mix
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8

Sounds good, let's talk.
--alt
Content-Type: text/html; charset=utf-8

<p>Sounds good, let's talk.</p>
--alt--
--mix
Content-Type: text/csv; name="needs.csv"
Content-Disposition: attachment; filename="needs.csv"

seats,10
--mix--
`;

export const REPLY_IN_THREAD = `From: Boss <boss@example.com>
To: sender@gw.example
Subject: Re: Re: Quarterly offer
Date: ${date}
Message-ID: <reply-2@example.com>
In-Reply-To: <reply-1@example.com>
References: ${ORIGINAL.messageId} <reply-1@example.com>

Approved.
`;

export const SUBJECT_ONLY_REPLY = `From: buyer@example.org
To: sender@gw.example
Subject: RE: Pricing sheet
Date: ${date}
Message-ID: <reply-3@example.org>

What about volume discounts?
`;

export const AUTO_REPLY = `From: lead@example.com
To: sender@gw.example
Subject: Automatic reply: Quarterly offer
Date: ${date}
Message-ID: <ooo-1@example.com>
Auto-Submitted: auto-replied
X-Autoreply: yes
In-Reply-To: ${ORIGINAL.messageId}
References: ${ORIGINAL.messageId}

I am out of the office until Monday.
`;

export const BOUNCE = `Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: sender@gw.example
Subject: Undelivered Mail Returned to Sender
Date: ${date}
Message-ID: <bounce-1@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="rep"

--rep
Content-Type: text/plain

This is the mail system. Your message could not be delivered to gone@example.net.
--rep
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; gone@example.net
Action: failed
Status: 5.1.1
--rep
Content-Type: text/rfc822-headers

From: Gateway <sender@gw.example>
To: gone@example.net
Subject: Webinar invite
Message-ID: ${ORIGINAL_2.messageId}
--rep--
`;

export const UNRELATED = `From: news@shop.example
To: sender@gw.example
Subject: Our weekly deals
Date: ${date}
Message-ID: <news-1@shop.example>

Deals inside.
`;

export function numbered(n: number): string {
  return `From: someone${n}@example.com
To: sender@gw.example
Subject: Message ${n}
Date: ${date}
Message-ID: <msg-${n}@example.com>

Body ${n}
`;
}
