// A small REST client for tests: JSON in, status and JSON out, optional bearer token.
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    init: { headers?: Record<string, string>; rawBody?: string | Uint8Array } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const payload = init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers["content-type"] ??= "application/json";
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as T, text, headers: response.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>("GET", `/api/v1${path}`);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>("POST", `/api/v1${path}`, body);
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>("PUT", `/api/v1${path}`, body);
  }
  patch<T = any>(path: string, body?: unknown) {
    return this.request<T>("PATCH", `/api/v1${path}`, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>("DELETE", `/api/v1${path}`);
  }

  /** Logs in and returns a client that sends the new token. */
  async login(username: string, password: string): Promise<ApiClient> {
    const response = await this.post("/auth/login", { username, password });
    if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${response.text}`);
    return this.withToken(response.body.token);
  }
}
