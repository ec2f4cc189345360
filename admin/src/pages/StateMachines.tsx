// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function StateMachines() {
  return <PageHeader title="StateMachines" subtitle="Not built yet" />;
}
