// The session decides what shows: the login page, or the panel with its pages. The live event
// stream exists only while logged in (it authenticates with the session cookie).
import { useEffect, useState } from "react";
import { api, onUnauthenticated } from "./api/client";
import { LiveEvents } from "./api/live-events";
import type { Me } from "./api/types";
import { Layout } from "./components/Layout";
import { LiveEventsContext } from "./hooks/useLive";
import { LoginPage } from "./pages/LoginPage";
import { Pages } from "./pages/Pages";

type Session =
  | { readonly status: "checking" }
  | { readonly status: "out" }
  | { readonly status: "in"; readonly me: Me };

export function App() {
  const [session, setSession] = useState<Session>({ status: "checking" });

  useEffect(() => {
    api.auth.me().then(
      (me) => setSession({ status: "in", me }),
      () => setSession({ status: "out" }),
    );
    return onUnauthenticated(() => setSession({ status: "out" }));
  }, []);

  if (session.status === "checking") return <p className="loading">Loading…</p>;
  if (session.status === "out") return <LoginPage onLogin={(me) => setSession({ status: "in", me })} />;
  return <LoggedIn me={session.me} onLogout={() => setSession({ status: "out" })} />;
}

function LoggedIn({ me, onLogout }: { readonly me: Me; readonly onLogout: () => void }) {
  // A refused event stream may mean the session ended (EventSource does not say why): /auth/me
  // then answers 401, which shows the login page.
  const [live] = useState(() => new LiveEvents(() => api.auth.me().catch(() => undefined)));
  useEffect(() => {
    live.start();
    return () => live.close();
  }, [live]);

  const logout = async () => {
    await api.auth.logout().catch(() => undefined);
    onLogout();
  };

  return (
    <LiveEventsContext.Provider value={live}>
      <Layout me={me} onLogout={logout}>
        <Pages me={me} />
      </Layout>
    </LiveEventsContext.Provider>
  );
}
