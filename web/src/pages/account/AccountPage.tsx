// The logged-in user's own account: who they are, a new password, and API tokens for automation.
import type { Me } from "../../api/types";
import { PageTitle } from "../../components/PageTitle";
import { ApiTokensPanel } from "./ApiTokensPanel";
import { PasswordPanel } from "./PasswordPanel";

export function AccountPage({ me }: { readonly me: Me }) {
  return (
    <>
      <PageTitle title="Account">Account</PageTitle>
      <p>
        Logged in as <strong>{me.username}</strong>, role <strong>{me.role}</strong>.
      </p>
      <PasswordPanel me={me} />
      <ApiTokensPanel />
    </>
  );
}
