// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Rules() {
  return <PageHeader title="Rules" subtitle="Not built yet" />;
}
