// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Relations() {
  return <PageHeader title="Relations" subtitle="Not built yet" />;
}
