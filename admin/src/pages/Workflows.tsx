// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Workflows() {
  return <PageHeader title="Workflows" subtitle="Not built yet" />;
}
