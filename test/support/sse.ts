// A server-sent-events client for tests: opens GET /api/v1/events with the session cookie (as a
// browser's EventSource does), collects every event and says when the server ends the stream.
export interface EventClient {
  readonly status: number;
  readonly events: { event: string; data: any }[];
  /** Resolves when the server ends the stream (or close() is called). */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openEvents(baseUrl: string, token: string): Promise<EventClient> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/v1/events`, {
    headers: { cookie: `streamwell_session=${token}` },
    signal: controller.signal,
  });
  const events: EventClient["events"] = [];
  const close = () => controller.abort();
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel();
    return { status: response.status, events, ended: Promise.resolve(), close };
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf("\n\n");
      }
    }
  })();
  return { status: response.status, events, ended, close };
}
