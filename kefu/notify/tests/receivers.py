"""Group-robot webhooks on loopback (shared by the notify and reports tests), checking payloads and signatures as the platforms do.

``RobotReceiver("dingtalk", secret=...)`` listens on 127.0.0.1 (port 0: any free port),
records every request, verifies the signature exactly as DingTalk, Feishu or WeCom
would, and answers as they answer (an error code in a 200 response for a bad sign);
``status=500`` makes it fail like a platform outage."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class RobotReceiver:
    def __init__(self, platform: str, *, secret: str = "", key: str = "robot-key", status: int = 200):
        self.platform, self.secret, self.key, self.status = platform, secret, key, status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                request = {"path": parts.path, "query": parse_qs(parts.query), "headers": dict(self.headers),
                           "body": json.loads(raw or b"{}")}
                receiver.requests.append(request)
                status, answer = receiver.answer(request)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        paths = {"dingtalk": "/robot/send?access_token=dt-token", "feishu": "/open-apis/bot/v2/hook/fs-hook",
                 "wecom": f"/cgi-bin/webhook/send?key={self.key}"}
        return f"http://{host}:{port}{paths[self.platform]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # ---- what each platform checks ------------------------------------------------------

    def answer(self, request) -> tuple[int, dict]:
        if self.status != 200:
            return self.status, {"error": "internal error"}
        return 200, getattr(self, f"_{self.platform}")(request)

    def _dingtalk(self, request) -> dict:
        if request["query"].get("access_token") != ["dt-token"]:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        if self.secret:
            timestamp = request["query"].get("timestamp", [""])[0]
            sign = request["query"].get("sign", [""])[0]  # parse_qs has undone the URL-encoding
            if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
                return {"errcode": 310000, "errmsg": "timestamp is not within one hour"}
            digest = hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256).digest()
            if sign != base64.b64encode(digest).decode():
                return {"errcode": 310000, "errmsg": "sign not match"}
        body = request["body"]
        if body.get("msgtype") != "markdown" or not body.get("markdown", {}).get("text"):
            return {"errcode": 40035, "errmsg": "missing markdown"}
        return {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, request) -> dict:
        body = request["body"]
        if self.secret:
            timestamp, sign = str(body.get("timestamp", "")), body.get("sign", "")
            if not timestamp.isdigit() or abs(int(timestamp) - time.time()) > 3600:
                return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
            digest = hmac.new(f"{timestamp}\n{self.secret}".encode(), b"", hashlib.sha256).digest()
            if sign != base64.b64encode(digest).decode():
                return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        if body.get("msg_type") != "interactive" or not body.get("card", {}).get("elements"):
            return {"code": 9499, "msg": "Bad Request"}
        return {"code": 0, "msg": "success", "data": {}}

    def _wecom(self, request) -> dict:
        if request["query"].get("key") != [self.key]:
            return {"errcode": 93000, "errmsg": "invalid webhook url"}
        body = request["body"]
        content = body.get("markdown", {}).get("content", "")
        if body.get("msgtype") != "markdown" or not content or len(content.encode()) > 4096:
            return {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        return {"errcode": 0, "errmsg": "ok"}
