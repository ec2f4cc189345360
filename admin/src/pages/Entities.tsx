// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Entities() {
  return <PageHeader title="Entities" subtitle="Not built yet" />;
}
