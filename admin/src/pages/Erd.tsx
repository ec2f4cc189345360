// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Erd() {
  return <PageHeader title="Erd" subtitle="Not built yet" />;
}
