// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function EventStats() {
  return <PageHeader title="EventStats" subtitle="Not built yet" />;
}
