// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function WebhookLogs() {
  return <PageHeader title="WebhookLogs" subtitle="Not built yet" />;
}
