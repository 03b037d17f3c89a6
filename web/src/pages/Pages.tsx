// Which page a path shows. Admin-only pages are absent for users, not just hidden in the menu.
import { type ReactNode, useEffect } from "react";
import type { Me } from "../api/types";
import { navigate, usePath } from "../router";
import { AccountPage } from "./account/AccountPage";
import { ChannelsPage } from "./ChannelsPage";
import { ChannelPage } from "./channel/ChannelPage";
import { DestinationsPage } from "./destinations/DestinationsPage";
import { FeaturesPage } from "./FeaturesPage";
import { NodesPage } from "./NodesPage";
import { NotFoundPage } from "./NotFoundPage";
import { UsersPage } from "./users/UsersPage";
import { WebhooksPage } from "./webhooks/WebhooksPage";

interface PageRoute {
  readonly pattern: RegExp;
  readonly adminOnly?: boolean;
  render(match: RegExpExecArray, me: Me): ReactNode;
}

const ROUTES: readonly PageRoute[] = [
  { pattern: /^\/channels\/?$/, render: () => <ChannelsPage /> },
  { pattern: /^\/channels\/([^/]+)$/, render: (match) => <ChannelPage id={match[1] ?? ""} /> },
  { pattern: /^\/destinations\/?$/, adminOnly: true, render: () => <DestinationsPage /> },
  { pattern: /^\/server\/?$/, adminOnly: true, render: () => <FeaturesPage /> },
  { pattern: /^\/users\/?$/, adminOnly: true, render: (_match, me) => <UsersPage me={me} /> },
  { pattern: /^\/webhooks\/?$/, adminOnly: true, render: () => <WebhooksPage /> },
  { pattern: /^\/nodes\/?$/, render: (_match, me) => <NodesPage me={me} /> },
  { pattern: /^\/account\/?$/, render: (_match, me) => <AccountPage me={me} /> },
];

export function Pages({ me }: { readonly me: Me }) {
  const path = usePath();
  useEffect(() => {
    if (path === "/" || path === "/login") navigate("/channels");
  }, [path]);
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.adminOnly && me.role !== "admin") break;
    return <>{route.render(match, me)}</>;
  }
  return <NotFoundPage />;
}
