// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function UiConfigs() {
  return <PageHeader title="UiConfigs" subtitle="Not built yet" />;
}
