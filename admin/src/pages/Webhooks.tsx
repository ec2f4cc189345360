// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Webhooks() {
  return <PageHeader title="Webhooks" subtitle="Not built yet" />;
}
