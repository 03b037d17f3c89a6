// The UI's session cookie: the same token as the bearer one, HttpOnly so scripts cannot read
// it, SameSite=Strict so other sites cannot ride on it (EventSource cannot send headers).
export const SESSION_COOKIE = "streamwell_session";

export function sessionCookie(token: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(maxAgeSeconds)}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
}

/** The session token from a Cookie header, if any. */
export function tokenFromCookie(header: string | undefined): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const [name, ...value] = part.trim().split("=");
    if (name === SESSION_COOKIE && value.length > 0) return value.join("=") || undefined;
  }
  return undefined;
}
