// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Trace() {
  return <PageHeader title="Trace" subtitle="Not built yet" />;
}
