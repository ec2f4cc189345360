// Placeholder until this screen lands (spec 17 §5).
import { PageHeader } from "../components/ui";

export default function Invites() {
  return <PageHeader title="Invites" subtitle="Not built yet" />;
}
