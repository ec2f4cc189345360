// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function DataBrowser() {
  return <PageHeader title="DataBrowser" subtitle="Not built yet" />;
}
