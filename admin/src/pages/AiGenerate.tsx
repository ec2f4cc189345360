// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function AiGenerate() {
  return <PageHeader title="AiGenerate" subtitle="Not built yet" />;
}
