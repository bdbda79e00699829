"""Turns compare results (JSON lines) into the markdown section of docs/benchmarks.md and the chart docs/compare.svg.
Usage: report.py RESULTS BENCHMARKS_MD CHART_SVG MACHINE_TEXT COMMAND"""
import html
import json
import statistics
import sys

USERS = [("cwb50", "steady 50 %"), ("cwb2x30", "2 × 30 %, random gaps"), ("cwbshort", "short-lived children"), ("cwbmem", "memory grower")]
HEADING = "## Accuracy and cost vs other tools (issue 7)"
COLORS = ["#1f77b4", "#aec7e8", "#ff7f0e", "#2ca02c", "#98df8a", "#d62728", "#9467bd", "#8c564b"]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def load(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def summarize(results):
    """{level: {"meta": ..., "contenders": {name: {...medians...}}}}"""
    out = {}
    for level in sorted({r["level"] for r in results}):
        rs = [r for r in results if r["level"] == level]
        names = list(dict.fromkeys(n for r in rs for n in r["contenders"]))
        meta = {
            "runs": len(rs),
            "when": __import__("datetime").datetime.fromtimestamp(min(r["start"] for r in rs), __import__("datetime").timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "processes": med([r["processes"] for r in rs]),
            "busy": med([r["machine_busy_pct_of_one_core"] for r in rs]),
            "known": med([r["known_load_pct"] for r in rs]),
            "load1": med([r["loadavg_start"][0] for r in rs]),
            "seconds": med([r["seconds"] for r in rs]),
            "truth": {u: med([r["truth"][u] for r in rs]) for u, _ in USERS},
            "mem_truth": med([r["mem_truth_mib"] for r in rs]),
        }
        cs = {}
        for n in names:
            got = [r["contenders"][n] for r in rs if n in r["contenders"]]
            ok = [g for g in got if "pending" not in g]
            if not ok:
                cs[n] = {"pending": got[0]["pending"] if got else "not run"}
                continue
            cs[n] = {
                "err": {u: med([g["cpu"][u] - g["truth"][u] for g in ok]) for u, _ in USERS},
                "mem_err": med([g["rss"]["cwbmem"] - r["mem_truth_mib"] for r in rs for g in [r["contenders"].get(n)] if g and "pending" not in g and g.get("measures_memory", True)]),
                "cost_cpu_s": med([g["cost_cpu_s"] for g in ok]),
                "cost_pct": med([g["cost_cpu_s"] / g["cost_wall_s"] * 100 for g in ok if g.get("cost_wall_s")]),
                "cost_rss": med([g["cost_peak_rss_mib"] for g in ok]),
                "runs": len(ok),
            }
        out[level] = {"meta": meta, "contenders": cs}
    return out


def fmt(x, d=1, signed=True):
    if x is None:
        return "–"
    return f"{x:+.{d}f}" if signed else f"{x:.{d}f}"


def markdown(summary, machine, command):
    lines = [HEADING, "",
             f"Command: `{command}` (as root). Machine: {machine}",
             "",
             "Truth = each load's own CPU accounting (perl `times()`, which includes reaped children), interpolated over exactly",
             "the span each contender's intervals cover. Error = contender − truth, in percentage points of one core, median",
             "over the runs. Memory error: what the contender reports for the memory user at the end of the period minus the",
             "user's VmRSS read from `/proc` by the script at that moment (≈ 256 MiB of touched data + perl). Own cost: CPU",
             "seconds the contender's processes used over their whole life (start-up, 12 s warm-up, the period, 6 s drain),",
             "as % of one core, and peak RSS. For `top -b -n 1` the cost is the sum over its invocations (peak = the largest",
             "one); for the Python-driven tools the Python harness (parsing, scraping) is not counted.",
             ""]
    for level, s in summary.items():
        m = s["meta"]
        lines += [f"### About {level:,} processes (measured {m['processes']:.0f}; {m['runs']} run(s) of {m['seconds']:.0f} s from {m['when']})", "",
                  f"Machine busy: {m['busy']:.0f} % of one core out of 200 % (the known loads: {m['known']:.0f} %); load average "
                  f"{m['load1']:.1f} at the start. True CPU per user (median): " +
                  ", ".join(f"{u} ({d}) {m['truth'][u]:.1f} %" for u, d in USERS) + f"; memory user RSS {m['mem_truth']:.0f} MiB.", "",
                  "| contender | " + " | ".join(f"{u} error (pp)" for u, _ in USERS) + " | memory error (MiB) | own CPU (s) | own CPU (% of a core) | own peak RSS (MiB) |",
                  "| --- | " + " | ".join("---:" for _ in USERS) + " | ---: | ---: | ---: | ---: |"]
        notes = []
        for n, c in s["contenders"].items():
            if "pending" in c:
                lines.append(f"| {n} | " + " | ".join("n/a" for _ in USERS) + f" | n/a | – | – | – |")
                notes.append(f"{n}: {c['pending']}.")
                continue
            lines.append(f"| {n} | " + " | ".join(fmt(c["err"][u], 2) for u, _ in USERS) +
                         f" | {fmt(c['mem_err'], 0)} | {fmt(c['cost_cpu_s'], 2, False)} | {fmt(c['cost_pct'], 2, False)} | {fmt(c['cost_rss'], 1, False)} |")
        lines.append("")
        if notes:
            lines += ["n/a: " + " ".join(notes), ""]
    lines += ["![error per user per contender](compare.svg)", "",
              "What these numbers say, where ClusterWatch meets the issue's targets and where it falls short: "
              "[compare.md](compare.md).", ""]
    return "\n".join(lines)


def chart(summary):
    levels = list(summary)
    names = [n for n in dict.fromkeys(n for s in summary.values() for n in s["contenders"]) if any("err" in s["contenders"].get(n, {}) for s in summary.values())]
    vals = [summary[l]["contenders"][n]["err"][u] for l in levels for n in names for u, _ in USERS if "err" in summary[l]["contenders"].get(n, {})]
    lo = min(min(vals), -1.0)
    hi = max(max(vals), 1.0)
    lo, hi = (int(lo // 5) * 5, (int(hi // 5) + 1) * 5)
    W, panel_h, top, left = 900, 230, 60, 60
    H = top + len(levels) * (panel_h + 40) + 30 * ((len(names) + 2) // 3) + 20
    group_w = (W - left - 20) / len(USERS)
    bar_w = group_w * 0.8 / len(names)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="Verdana, sans-serif" font-size="11">',
         f'<rect width="{W}" height="{H}" fill="#fff"/>',
         f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="15">CPU error per user vs the load\'s own accounting (percentage points of one core, median)</text>',
         f'<text x="{W / 2}" y="40" text-anchor="middle" fill="#555">negative = the tool under-reports; bar labels are the values</text>']
    for i, level in enumerate(levels):
        y0 = top + i * (panel_h + 40)
        scale = panel_h / (hi - lo)
        zero = y0 + hi * scale
        o.append(f'<text x="{left}" y="{y0 - 6}" font-weight="bold">about {level:,} processes</text>')
        for t in range(lo, hi + 1, 5):
            y = zero - t * scale
            o.append(f'<line x1="{left}" x2="{W - 20}" y1="{y:.1f}" y2="{y:.1f}" stroke="{"#444" if t == 0 else "#ddd"}"/>')
            o.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t:+d}</text>')
        for g, (u, desc) in enumerate(USERS):
            gx = left + g * group_w + group_w * 0.1
            o.append(f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{y0 + panel_h + 16}" text-anchor="middle">{html.escape(u)}: {html.escape(desc)}</text>')
            for k, n in enumerate(names):
                x = gx + k * bar_w
                if "err" not in summary[level]["contenders"].get(n, {}):
                    o.append(f'<text x="{x + bar_w / 2:.1f}" y="{zero - 4:.1f}" text-anchor="middle" font-size="7" fill="{COLORS[k % len(COLORS)]}">n/a</text>')
                    continue
                v = summary[level]["contenders"][n]["err"][u]
                y, h = (zero - v * scale, v * scale) if v >= 0 else (zero, -v * scale)
                o.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{max(h, 1.5):.1f}" fill="{COLORS[k % len(COLORS)]}"><title>{html.escape(n)}, {u}: {v:+.2f} pp</title></rect>')
                if abs(v) >= 1:
                    ty = y - 2 if v >= 0 else y + h + 10
                    o.append(f'<text x="{x + bar_w / 2:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="8">{v:+.1f}</text>')
    ly = top + len(levels) * (panel_h + 40) + 4
    for k, n in enumerate(names):
        x = left + (k % 3) * 270
        y = ly + (k // 3) * 20
        o.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLORS[k % len(COLORS)]}"/><text x="{x + 18}" y="{y + 10}">{html.escape(n)}</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def replace_section(path, section):
    try:
        text = open(path).read()
    except FileNotFoundError:
        text = "# Benchmarks\n"
    start = text.find(HEADING)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        nxt = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + ("\n" + text[nxt + 1:] if nxt >= 0 else "")
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n")


def main():
    results, md, svg, machine, command = sys.argv[1:6]
    summary = summarize(load(results))
    replace_section(md, markdown(summary, machine, command))
    with open(svg, "w") as f:
        f.write(chart(summary))


if __name__ == "__main__":
    main()
