/** A list of verification checks, each passed or failed, in words. */
import type { Step } from '../verify.js';

export function Steps({ steps }: { steps: Step[] }) {
  return (
    <ol class="steps">
      {steps.map((s) => (
        <li>
          <span class={s.ok ? 'ok' : 'bad'}>{s.ok ? '✓ ' : '✗ '}</span>
          <strong>{s.label}</strong>
          <span class="detail">{s.detail}</span>
        </li>
      ))}
    </ol>
  );
}
