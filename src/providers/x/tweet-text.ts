/** The text sent to `POST /2/tweets`: the request text, with the link appended when it is not in it. */
import type { SocialPostRequest } from '../../capabilities/social-posting.js';

export const X_MAX_WEIGHTED = 280;
/** X counts every URL as 23 characters (t.co wrapping). */
const URL_WEIGHT = 23;
const URL_RE = /https?:\/\/\S+/g;

export function tweetText(request: SocialPostRequest): string {
  if (!request.link || request.text.includes(request.link)) return request.text;
  return `${request.text}\n${request.link}`;
}

/** Simplified X length: code points, each URL counted as 23. */
export function weightedLength(text: string): number {
  const urls = text.match(URL_RE) ?? [];
  const rest = text.replace(URL_RE, '');
  return [...rest].length + urls.length * URL_WEIGHT;
}
