// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Events() {
  return <PageHeader title="Events" subtitle="Not built yet" />;
}
