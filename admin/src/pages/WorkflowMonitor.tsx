// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function WorkflowMonitor() {
  return <PageHeader title="WorkflowMonitor" subtitle="Not built yet" />;
}
