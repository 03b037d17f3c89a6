// The frame around every page: skip link, navigation (Destinations, Server, Users and Webhooks
// only for admins), who is logged in, and whether live updates are connected.
import type { ReactNode } from "react";
import type { Me } from "../api/types";
import { useConnectionState } from "../hooks/useLive";
import { Link, usePath } from "../router";

interface NavItem {
  readonly to: string;
  readonly label: string;
  readonly adminOnly?: boolean;
}

const NAV: readonly NavItem[] = [
  { to: "/channels", label: "Channels" },
  { to: "/destinations", label: "Destinations", adminOnly: true },
  { to: "/server", label: "Server Features", adminOnly: true },
  { to: "/users", label: "Users", adminOnly: true },
  { to: "/webhooks", label: "Webhooks", adminOnly: true },
  { to: "/nodes", label: "Nodes" },
  { to: "/account", label: "Account" },
];

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  open: "Live updates on",
  reconnecting: "Reconnecting…",
} as const;

export function Layout({ me, onLogout, children }: { me: Me; onLogout: () => void; children: ReactNode }) {
  const path = usePath();
  const connection = useConnectionState();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Streamwell</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.adminOnly || me.role === "admin").map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={path.startsWith(item.to) ? "page" : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className={`connection connection-${connection}`} role="status">
            {CONNECTION_TEXT[connection]}
          </span>
          <span>
            {me.username} <span className="role">({me.role})</span>
          </span>
          <button type="button" className="small" onClick={onLogout}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
