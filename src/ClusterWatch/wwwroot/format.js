// Units the way users expect them: CPU as % of one core and as cores, memory in MiB/GiB, times in local time.
// Everything returns plain strings; callers put them in the page with textContent only.

export function cpu(pct) {
  if (pct == null) return '–';
  return `${pct >= 100 ? pct.toFixed(0) : pct.toFixed(1)} % (${(pct / 100).toFixed(2)} cores)`;
}

export function cpuShort(pct) {
  if (pct === 0) return '0 %';
  return `${pct.toFixed(pct >= 10 ? 0 : pct >= 1 ? 1 : 2)} %`;
}

export function mem(bytes) {
  if (bytes == null) return '–';
  const mib = bytes / 1048576;
  if (mib >= 1024) return `${(mib / 1024).toFixed(mib >= 10240 ? 1 : 2)} GiB`;
  return `${mib.toFixed(mib >= 100 ? 0 : 1)} MiB`;
}

export function pct(v) {
  return v == null ? '–' : `${v.toFixed(1)} %`;
}

// Unix seconds → local time text; long ranges get the date too.
export function time(t, withDate) {
  const d = new Date(t * 1000);
  const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: withDate ? undefined : '2-digit' });
  return withDate ? `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${hm}` : hm;
}

export function dateTime(t) {
  return t == null ? '–' : new Date(t * 1000).toLocaleString();
}

// "UTC+01:00" for the label that says which time zone the page shows.
export function zoneLabel() {
  const off = -new Date().getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
  return `${name}, UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

export function ago(t, now) {
  if (t == null) return 'never';
  const s = Math.max(0, now - t);
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
