// What the signed-in caller may do (viewer.permissions), read from the shell's query in urql's
// cache: a screen offers nothing its caller would be refused.
import { useQuery } from "urql";
import { ShellQuery } from "./Shell";

export function usePermissions(): ReadonlySet<string> {
  const [{ data }] = useQuery({ query: ShellQuery });
  return new Set(data?.viewer.permissions ?? []);
}
