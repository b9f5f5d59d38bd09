import { ListSkeleton } from "../../_components/list-skeleton";

export default function Loading() {
  return <ListSkeleton />;
}
