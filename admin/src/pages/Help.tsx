// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Help() {
  return <PageHeader title="Help" subtitle="Not built yet" />;
}
