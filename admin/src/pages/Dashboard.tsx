// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Dashboard() {
  return <PageHeader title="Dashboard" subtitle="Not built yet" />;
}
