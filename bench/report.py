"""Results for people: one line per scenario while a run goes, and Markdown tables to paste
into docs/performance.md.

    backend/.venv/bin/python -m bench.report bench/results/2026-12-01-25aa602.json
"""

import argparse
import json
from pathlib import Path

from bench.scenarios import SCENARIOS


def fmt(value, digits: int = 0, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}{unit}"
    return f"{round(value):,}{unit}"


def ms(latency: dict, key: str) -> str:
    value = latency.get(key)
    return "-" if value is None else (f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms")


def loss_text(loss: dict) -> str:
    parts = []
    if loss["missing_total"]:
        parts.append(f"{loss['missing_total']:,} missing on {loss['sockets_with_loss']} sockets")
    if loss["closed_by_server"]:
        closes = ", ".join(f"{n}x{code}" for code, n in loss["closed_by_server"].items())
        parts.append(f"closed {closes}")
    if loss["joined"] < loss["sockets"]:
        parts.append(f"{loss['sockets'] - loss['joined']} not joined")
    if loss["duplicates"]:
        parts.append(f"{loss['duplicates']} dup")
    return "; ".join(parts) or "none"


def load_text(result: dict) -> str:
    latency = result["latency_ms"]
    offered = result["plan"]["offered_deliveries_per_s"]
    text = (
        f"{fmt(result['deliveries_per_s'])}/s delivered of {fmt(offered)}/s offered, "
        f"p50 {ms(latency, 'p50')}, p99 {ms(latency, 'p99')}, max {ms(latency, 'max')}, "
        f"loss: {loss_text(result['loss'])}"
    )
    return text + (f" ({result['note']})" if result.get("note") else "")


def steps_text(result: dict) -> str:
    last = result["steps"][-1] if result["steps"] else None
    text = f"sustained {fmt(result['sustained_deliveries_per_s'])} deliveries/s"
    if last and last["passed"]:
        text = text.replace("sustained", "sustained at least") + " (every step passed)"
    if last and not last["passed"]:
        text += f"; failed at {fmt(last['plan']['offered_deliveries_per_s'])}/s: "
        text += "; ".join(last["reasons"])
    return text


def result_text(name: str, result: dict) -> str:
    """The scenario's headline, in a sentence fragment."""
    if result.get("verdict") == "error":
        return "error: " + "; ".join(result.get("reasons", []))
    if name in ("throughput", "floor"):
        return steps_text(result)
    if name == "two_workers":
        scaling = result.get("scaling")
        return steps_text(result) + (f" ({scaling}x one worker)" if scaling else "")
    if name == "cpu":
        ours, bare = result["ours"], result["bare"]
        return (
            f"ours {fmt(ours['server_cpu_us_per_delivery'], 1)} µs/delivery, bare "
            f"{fmt(bare['server_cpu_us_per_delivery'], 1)} µs: ratio {fmt(result['ratio'], 2)}"
        )
    if name.startswith("handshakes"):
        text = (
            f"{fmt(result['handshakes_per_s'])}/s, p50 {ms(result['handshake_ms'], 'p50')}, "
            f"p99 {ms(result['handshake_ms'], 'p99')}, {result['joined']:,} of "
            f"{result['sockets']:,} joined, {result['server_cpu_ms_per_handshake']} ms server "
            f"CPU each (CPU: {shares_text(result['cpu_share'])})"
        )
        if "bare" in result:
            bare = result["bare"]
            text += (
                f"; bare app: {fmt(bare['handshakes_per_s'])}/s, "
                f"p99 {ms(bare['handshake_ms'], 'p99')}"
            )
        return text
    if name == "idle":
        text = (
            f"{fmt(result['rss_kib_per_socket'], 1)} KiB per socket ({result['rss_before_mib']} "
            f"-> {result['rss_after_mib']} MiB for {result['joined']:,} sockets)"
        )
        if bare := result.get("bare"):
            text += f"; bare app: {fmt(bare['rss_kib_per_socket'], 1)} KiB per socket"
        return text
    if name == "smoke":
        return load_text(result["chat"]) + f"; bare app: {loss_text(result['bare']['loss'])}"
    if name == "overload":
        loss = result["loss"]
        return (
            load_text(result) + f"; {loss['resumed_sockets']} sockets resumed "
            f"({loss['resumes']} resumes, {loss['rest_pages']} REST pages), "
            f"silent loss on {loss['silent_loss_sockets']} sockets"
        )
    return load_text(result)


def log_text(result: dict) -> str:
    log = result.get("server_log") or {}
    text = f"{log.get('tracebacks', '-')} tracebacks, {log.get('error_lines', '-')} ERROR lines"
    if log.get("exceptions"):
        exception, count = log["exceptions"][0]
        text += f" (most: {count}x `{exception}`)"
    return text


def summary_line(name: str, result: dict) -> str:
    verdict = result.get("verdict", "?").upper()
    return f"{name:<12} {verdict:<5} {result_text(name, result)} [{log_text(result)}]"


# Markdown -----------------------------------------------------------------------------------


def markdown(record: dict) -> str:
    lines = [header(record)]
    for run in record["runs"]:
        lines += ["", f"### Server: {run['server_kind']} ({servers_text(run)})", ""]
        lines += summary_table(run["scenarios"])
        for name in ("throughput", "two_workers", "floor"):
            if name in run["scenarios"] and run["scenarios"][name].get("steps"):
                lines += ["", f"**{name} steps**", ""]
                lines += steps_table(run["scenarios"][name]["steps"])
        if "cpu" in run["scenarios"] and "ours" in run["scenarios"]["cpu"]:
            lines += ["", "**cpu**", ""] + cpu_table(run["scenarios"]["cpu"])
    return "\n".join(lines) + "\n"


def header(record: dict) -> str:
    machine = record["machine"]
    return (
        f"Measured {record['date']} on commit `{record['commit']}`: {machine['nproc']} cores "
        f"({machine['cpu_model']}), {machine['ram_gib']} GiB, Python {machine['python']}, load "
        f"average {machine['load_average_at_start'][0]} at start. Client: one process on the "
        f"same machine ({record['client']['event_loop']} event loop, websockets "
        f"{machine['versions'].get('websockets', '?')}). Latency is send to receipt at every "
        "socket, over every delivery including those after the sending window."
    )


def servers_text(run: dict) -> str:
    seen = []
    for result in run["scenarios"].values():
        for server in result.get("servers", []):
            header = server["server_header"] or "-"
            text = f"{server['launcher']}, Server header `{header}`"
            if not header.lower().startswith(server["asgi_server_requested"]):
                text += f" although ASGI_SERVER={server['asgi_server_requested']}: it was ignored"
            if text not in seen:
                seen.append(text)
    return "; ".join(seen) or "no server started"


def summary_table(scenarios: dict) -> list[str]:
    rows = ["| Scenario | Target | Result | Verdict | Server log |", "|---|---|---|---|---|"]
    for name, result in scenarios.items():
        target = SCENARIOS[name].target if name in SCENARIOS else ""
        rows.append(
            f"| {name} | {target} | {result_text(name, result)} | "
            f"{result.get('verdict', '?')} | {log_text(result)} |"
        )
    return rows


def steps_table(steps: list[dict]) -> list[str]:
    rows = [
        "| Offered/s | Delivered/s | p50 | p99 | max | Loss | Server CPU/delivery "
        "| CPU: server, client, Redis+PG, others | Result |",
        "|---:|---:|---:|---:|---:|---|---:|---|---|",
    ]
    for step in steps:
        result = "pass" if step["passed"] else "fail: " + "; ".join(step["reasons"])
        if step.get("note"):
            result += f" ({step['note']})"
        rows.append(
            f"| {fmt(step['plan']['offered_deliveries_per_s'])} | {fmt(step['deliveries_per_s'])} "
            f"| {ms(step['latency_ms'], 'p50')} | {ms(step['latency_ms'], 'p99')} "
            f"| {ms(step['latency_ms'], 'max')} | {loss_text(step['loss'])} "
            f"| {fmt(step['server_cpu_us_per_delivery'], 1, ' µs')} "
            f"| {shares_text(step['cpu_share'])} | {result} |"
        )
    return rows


def shares_text(share: dict) -> str:
    services = share["redis"] + share["postgres"]
    return f"{share['server']:.0%}, {share['client']:.0%}, {services:.0%}, {share['others']:.0%}"


def cpu_table(result: dict) -> list[str]:
    rows = [
        "| App | Delivered/s | Server CPU/delivery | Redis+PG CPU/delivery | Client CPU/delivery "
        "| CPU: server, client, Redis+PG, others | p99 |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for label, side in (("ours", result["ours"]), ("bare", result["bare"])):
        rows.append(
            f"| {label} | {fmt(side['deliveries_per_s'])} "
            f"| {fmt(side['server_cpu_us_per_delivery'], 1, ' µs')} "
            f"| {fmt(side['services_cpu_us_per_delivery'], 1, ' µs')} "
            f"| {fmt(side['client_cpu_us_per_delivery'], 1, ' µs')} "
            f"| {shares_text(side['cpu_share'])} "
            f"| {ms(side['latency_ms'], 'p99')} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Render a bench results file as Markdown.")
    parser.add_argument("results", type=Path)
    args = parser.parse_args()
    print(markdown(json.loads(args.results.read_text())), end="")


if __name__ == "__main__":
    main()
