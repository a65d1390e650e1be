"""A minimal Language Server Protocol client: open one YAML file, return its diagnostics."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


def diagnostics(server: list[str], doc: Path, timeout: float = 90) -> list[str]:
    """The messages ``server`` (e.g. ``yaml-language-server --stdio``) publishes for ``doc``."""
    proc = subprocess.Popen(
        server, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout
    inbox: queue.Queue[dict[str, Any]] = queue.Queue()

    def read() -> None:
        while True:
            headers = {}
            while True:
                line = stdout.readline()
                if not line:
                    return
                text = line.decode("ascii").strip()
                if not text:
                    break
                key, value = text.split(":", 1)
                headers[key.lower()] = value.strip()
            inbox.put(json.loads(stdout.read(int(headers["content-length"]))))

    def send(message: dict[str, Any]) -> None:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        stdin.flush()

    threading.Thread(target=read, daemon=True).start()
    doc = doc.resolve()
    settings = {"yaml": {"validate": True, "schemaStore": {"enable": False}, "schemas": {}}}
    try:
        send({"id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": doc.parent.as_uri(),
            "capabilities": {"workspace": {"configuration": True}},
        }})  # fmt: skip
        send({"method": "initialized", "params": {}})
        send({"method": "workspace/didChangeConfiguration", "params": {"settings": settings}})
        send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": doc.as_uri(), "languageId": "yaml", "version": 1,
            "text": doc.read_text(encoding="utf-8"),
        }}})  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = inbox.get(timeout=1)
            except queue.Empty:
                continue
            if "id" in message and "method" in message:  # the server asks the client
                items = message.get("params", {}).get("items", [])
                asked = message["method"] == "workspace/configuration"
                send(
                    {
                        "id": message["id"],
                        "result": [settings["yaml"]] * len(items) if asked else None,
                    }
                )
            elif (
                message.get("method") == "textDocument/publishDiagnostics"
                and message["params"]["uri"] == doc.as_uri()
            ):
                return [d["message"] for d in message["params"]["diagnostics"]]
        raise TimeoutError(f"no diagnostics for {doc}")
    finally:
        proc.kill()
        proc.wait()
        stdin.close()
        stdout.close()
