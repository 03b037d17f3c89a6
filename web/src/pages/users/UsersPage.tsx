// Users (admins): every account with its role; add one, change a role, set a new password,
// delete. The API decides what is allowed (e.g. not the last admin) and its messages show here.
import { api } from "../../api/client";
import type { Me, User } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PageTitle } from "../../components/PageTitle";
import { useResource } from "../../hooks/useResource";
import { NewUserForm } from "./NewUserForm";
import { UserItem } from "./UserItem";

export function UsersPage({ me }: { readonly me: Me }) {
  const users = useResource(api.users.list, "users");
  const replace = (next: User) =>
    users.setData((items) => items?.map((item) => (item.id === next.id ? next : item)));

  return (
    <>
      <PageTitle title="Users">Users</PageTitle>
      <p className="hint">
        Admins manage users, destinations, webhooks and the server; users manage their own channels.
      </p>
      <ErrorMessage error={users.error} />
      <ul className="cards">
        {users.data?.map((user) => (
          <UserItem
            key={user.id}
            user={user}
            self={user.id === me.id}
            onSaved={replace}
            onDeleted={() => users.setData((items) => items?.filter((item) => item.id !== user.id))}
          />
        ))}
      </ul>
      <section className="panel" aria-labelledby="new-user-title">
        <h2 id="new-user-title">Add user</h2>
        <NewUserForm onCreated={(created) => users.setData((items) => [...(items ?? []), created])} />
      </section>
    </>
  );
}
