// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Playground() {
  return <PageHeader title="Playground" subtitle="Not built yet" />;
}
