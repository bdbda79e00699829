// The only way this page builds markup: elements from a tag name, text through text nodes. Names from the cluster
// (users, commands, nodes) are untrusted; they never pass through innerHTML or attribute-based script sinks.

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, String(v));
    else if (k === 'href') e.setAttribute('href', v); // always '#/…' built with encodeURIComponent
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat()) {
    if (c == null) continue;
    parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return parent;
}

export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
  return e;
}

// A link to another view: every path segment is encoded, so a name can never change the scheme or leave the hash.
export function link(text, ...segments) {
  return el('a', { href: '#/' + segments.map(encodeURIComponent).join('/') }, text);
}

export function table(headers, rows, emptyText) {
  const head = el('tr', null, headers.map(h => el('th', { class: h.num ? 'num' : null, title: h.title }, h.label)));
  const body = rows.map(r => el('tr', null, r.map((cell, i) => el('td', { class: headers[i].num ? 'num' : null }, cell))));
  if (rows.length === 0) body.push(el('tr', null, el('td', { colspan: headers.length, class: 'muted' }, emptyText || 'nothing yet')));
  return el('table', null, el('thead', null, head), el('tbody', null, body));
}
