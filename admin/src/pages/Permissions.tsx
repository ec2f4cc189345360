// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Permissions() {
  return <PageHeader title="Permissions" subtitle="Not built yet" />;
}
