import Link from "next/link";

export default function CutoverNotFound() {
  return (
    <div className="space-y-3 rounded-md border border-slate-200 bg-white p-6">
      <h1 className="text-xl font-semibold">Cutover not found</h1>
      <p className="text-sm text-slate-600">No cutover has this id.</p>
      <Link href="/cutovers" className="text-sm text-sky-800 hover:underline">
        ← All cutovers
      </Link>
    </div>
  );
}
