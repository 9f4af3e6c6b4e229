/** A hash shown in full (hashes are what people compare), in monospace, wrapping on phones. */
export function Hash({ value }: { value: string }) {
  return <span class="hash">{value}</span>;
}
