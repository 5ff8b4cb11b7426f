// A labelled input with its server-side error shown under it.
import { useId } from 'react';

export default function Field({ label, error, testid, hint, ...input }) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy} data-testid={testid} {...input} />
      {hint && !error && <p className="field-hint" id={hintId}>{hint}</p>}
      {error && (
        <p className="field-error" id={errId} data-testid={testid ? `${testid}-error` : undefined}>
          {error}
        </p>
      )}
    </div>
  );
}
