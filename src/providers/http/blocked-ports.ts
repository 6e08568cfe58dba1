/**
 * The ports the Fetch standard's "bad port" list blocks (https://fetch.spec.whatwg.org/#port-blocking):
 * they belong to other protocols (SMTP, IMAP, IRC, X11, …), and an HTTP request sent to one can
 * be read by that service as commands. Node's fetch refused them; the gateway's HTTP client keeps
 * refusing them, so a provider URL can never be pointed at a mail or chat server.
 */
const BLOCKED_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117,
  119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636,
  989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** True when the URL's port (an explicit one; the scheme's default never is) is on the list. */
export function isBlockedPort(url: URL): boolean {
  return url.port !== '' && BLOCKED_PORTS.has(Number(url.port));
}
