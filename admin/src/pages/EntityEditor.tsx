// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function EntityEditor() {
  return <PageHeader title="EntityEditor" subtitle="Not built yet" />;
}
