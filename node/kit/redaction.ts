// Masking secrets in text a user or an operator will read (engine log lines, ffmpeg stderr):
// the secrets a relay knows (stream key, passphrase) wherever they appear, and secret-looking parts
// of any URL in the text.

// A value ends at '&', ';', '#', whitespace, a quote, or a colon before whitespace ("<url>: <error>").
const SECRET_QUERY_VALUE =
  /([?&;](?:passphrase|key|token|password|pass|secret|auth)=)(?:[^&;#\s"'<>:]|:(?!\s|$))+/gi;
// The password part is greedy up to the last '@' before a '/', '?', '#' or whitespace, so a raw '@'
// inside a password is covered too.
const USERINFO_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*:)[^\s/?#]*@/gi;

/**
 * Best-effort masking of secrets in any text (log lines, ffmpeg stderr) that may hold URLs: values of
 * secret-looking query parameters and userinfo passwords become "***". It cannot know a stream key
 * that sits in a path segment.
 */
export function redactUrl(url: string): string {
  return url.replace(USERINFO_PASSWORD, "$1***@").replace(SECRET_QUERY_VALUE, "$1***");
}

/** A secret as given and as it would appear percent-encoded in a URL; longest first, so a secret
 * that contains another is replaced whole. */
export function secretVariants(secrets: readonly string[]): string[] {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret === "") continue;
    variants.add(secret);
    variants.add(encodeURIComponent(secret));
  }
  return [...variants].sort((a, b) => b.length - a.length);
}

export function maskSecrets(text: string, variants: readonly string[]): string {
  let out = text;
  for (const secret of variants) out = out.split(secret).join("***");
  return out;
}

/** One line redacted the way ffmpeg's StderrRing stores it. */
export function redactLine(text: string, secrets: readonly string[]): string {
  return redactUrl(maskSecrets(text, secretVariants(secrets)));
}
