/**
 * LinkedIn "little text" (the `commentary` format) gives meaning to some characters
 * (mentions `@[…](urn)`, hashtags `{hashtag|\#|…}`, …); plain text must escape them.
 */
const RESERVED = /[\\|{}@[\]()<>#*_~]/g;

export function escapeLittleText(text: string): string {
  return text.replace(RESERVED, (c) => `\\${c}`);
}
