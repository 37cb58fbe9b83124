// SMS through a provider adapter. Twilio's Messages API is the real one:
//   POST {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json
//   Authorization: Basic base64(AccountSid:AuthToken)
//   Content-Type: application/x-www-form-urlencoded
//   To=+359881234567&From=+15551234567&Body=...   (From may be a MessagingServiceSid MG...)
// → 201 {"sid": "SM...", "status": "queued", ...}; errors are 4xx/5xx {"code", "message", ...}.
// The log-only default writes the message to the log and keeps it for staff: nothing is sent.
import type { SmsConfig } from '../../config.ts';

export interface SmsMessage {
  to: string;
  body: string;
}

export interface SmsSender {
  /** 'log' keeps the message (not sent); a real provider returns its message id. */
  readonly sends: boolean;
  send(m: SmsMessage): Promise<string>;
}

export class SmsError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** E.164 from what customers type: '+359 88 123 4567' → '+359881234567'. */
export function toE164(phone: string): string | undefined {
  const digits = phone.replace(/[\s()./-]/g, '');
  return /^\+[1-9][0-9]{6,14}$/.test(digits) ? digits : undefined;
}

export function twilioSender(c: Extract<SmsConfig, { provider: 'twilio' }>): SmsSender {
  const url = `${c.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;
  return {
    sends: true,
    async send(m) {
      const form = new URLSearchParams({ To: m.to, [c.from.startsWith('MG') ? 'MessagingServiceSid' : 'From']: c.from, Body: m.body });
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (e) {
        throw new SmsError(`Twilio unreachable: ${(e as Error).message}`, false);
      }
      const text = await res.text();
      let json: { sid?: string; message?: string; code?: number } = {};
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON: reported below */
      }
      if (res.status === 201 || res.status === 200) {
        if (!json.sid) throw new SmsError(`Twilio answered ${res.status} without a message sid`, false);
        return json.sid;
      }
      // 4xx other than 429 will not get better by retrying (bad number, bad credentials).
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 429;
      throw new SmsError(`Twilio ${res.status}${json.code ? ` ${json.code}` : ''}: ${json.message ?? text.slice(0, 200)}`, permanent);
    },
  };
}

export function logSender(log: (line: string) => void): SmsSender {
  return {
    sends: false,
    async send(m) {
      log(`SMS (log only, not sent) to ${m.to}: ${m.body}`);
      return 'log';
    },
  };
}

export function smsSender(c: SmsConfig, log: (line: string) => void): SmsSender {
  return c.provider === 'twilio' ? twilioSender(c) : logSender(log);
}
