import { PageTitle } from "../components/PageTitle";
import { Link } from "../router";

export function NotFoundPage() {
  return (
    <>
      <PageTitle title="Not found">Not found</PageTitle>
      <p>
        There is no such page. <Link to="/channels">Go to your channels</Link>.
      </p>
    </>
  );
}
