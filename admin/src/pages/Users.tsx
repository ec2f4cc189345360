// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Users() {
  return <PageHeader title="Users" subtitle="Not built yet" />;
}
